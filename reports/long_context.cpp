#include "reports/long_context.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>

#include "bench/memory_model.h"
#include "data/paper_tables.h"
#include "models/analytic.h"
#include "models/hf_format.h"
#include "models/registry.h"
#include "reports/arch_compare.h"
#include "reports/text_table.h"

namespace shishu::reports {
namespace {

using bench::Axis;

std::string fixed(double v, int digits) { return fixed_or_exponent(v, digits); }

std::string signed_pct(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", (1.0 - ratio) * 100);
  return buf;
}

// The decode points of one family in one setting: model -> depth -> median ms a token.
struct Scale {
  std::vector<std::string> models;
  std::set<int64_t> depths;
  std::map<std::string, std::map<int64_t, double>> step_ms;
  std::map<std::string, const bench::PointResult*> deepest;  // the deepest measured point of each model
};

// The measured peak the prediction is set against: the allocator's count of live tensors.
const char* kCountedPeaks[] = {"cuda_peak_allocated_bytes", "cpu_peak_allocated_bytes"};

// The paper's speed-up at its longest generation (Table 8, gen2048), or "-".
std::string paper_speedup(const std::string& model, const std::string& base) {
  const models::Variant* v = models::find_variant(model);
  if (!v) return "-";
  const auto& table = paper::table("table8_generation_latency_ms.csv");
  const auto mine = table.number(v->paper_row, "gen2048"), theirs = table.number(base, "gen2048");
  return mine && theirs && *theirs > 0 ? signed_pct(*mine / *theirs) : "-";
}

// The deepest cache, at `batch` and `gen`, whose predicted peak fits in `memory_bytes`.
int64_t longest_depth(const bench::Point& like, const models::ModelConfig& config, double memory_bytes) {
  int64_t lo = 0, hi = bench::kMaxPositions;
  while (lo < hi) {  // the prediction grows with the depth: bisect
    const int64_t mid = (lo + hi + 1) / 2;
    bench::Point p = like;
    p.shape[Axis::kDepth] = mid;
    if (bench::decode_memory(config, p).peak_bytes() <= memory_bytes) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

}  // namespace

double fit_memory_bytes(const LoadedReport& report, double memory_gb) {
  if (memory_gb > 0) return memory_gb * 1e9;
  const nlohmann::json devices = report.context.value("devices", nlohmann::json::array());
  if (devices.is_array() && !devices.empty() && devices[0].is_object()) {
    const nlohmann::json bytes = devices[0].value("memory_bytes", nlohmann::json(0));
    if (bytes.is_number() && bytes.get<double>() > 0) return bytes.get<double>();
  }
  throw std::invalid_argument(report.path + ": its device reports no memory size; give --memory-gb");
}

std::string long_context_tables(const LoadedReport& report, double memory_bytes) {
  std::map<std::string, Scale> scales;  // "<family>: <dtype>, <device>, <mode>, batch B, gen G" -> its points
  std::vector<std::string> order;
  for (const auto& r : report.points) {
    if (r.point.phase != "decode" || r.status != bench::Status::kOk || !r.samples.count("decode_step_ms")) continue;
    const auto& p = r.point;
    const std::string family = width_family(p.model);
    if (family.empty()) continue;
    const std::string key = family + ": " + p.dtype.name + ", " + p.device.str() + ", " + p.mode.name() + ", batch " +
                            std::to_string(p.batch()) + ", " + std::to_string(p.axis(Axis::kGen)) + " steps";
    if (!scales.count(key)) order.push_back(key);
    Scale& s = scales[key];
    if (std::find(s.models.begin(), s.models.end(), p.model) == s.models.end()) s.models.push_back(p.model);
    const int64_t depth = p.axis(Axis::kDepth);
    s.depths.insert(depth);
    double ms = 0;
    headline(r, "decode_step_ms", &ms);
    s.step_ms[p.model][depth] = ms;
    if (!s.deepest.count(p.model) || s.deepest[p.model]->point.axis(Axis::kDepth) < depth) s.deepest[p.model] = &r;
  }
  if (order.empty()) return "(the report has no decode points: run the decode phase, e.g. the long-context presets)\n";

  std::string out = "## Long context: decode at depth\n\n";
  for (const auto& key : order) {
    const Scale& s = scales[key];
    const std::string family = key.substr(0, key.find(':'));
    const std::string base = "mobilellm-" + family;
    out += "### " + key + "\n\n";

    TextTable t;
    t.headers = {"model", "KV B/token"};
    for (int64_t d : s.depths) t.headers.push_back("depth " + std::to_string(d));
    t.align.assign(2, Align::kLeft);
    t.align.resize(t.headers.size(), Align::kRight);
    for (const auto& model : s.models) {
      const bench::Point& p = s.deepest.at(model)->point;
      const int64_t per_token = models::kv_bytes_per_token(models::resolve_model_or_config(model),
                                                           models::element_bytes(p.dtype.storage));
      std::vector<std::string> row = {model, with_thousands(per_token)};
      for (int64_t d : s.depths) {
        const auto it = s.step_ms.at(model).find(d);
        const double kv_mb = double(p.batch()) * double(d) * double(per_token) / 1e6;
        row.push_back(it == s.step_ms.at(model).end() ? "-" : fixed(it->second, 2) + " ms, " + fixed(kv_mb, 1) + " MB");
      }
      t.add_row(row);
    }
    out += "Decode ms a token (median step) and the KV cache it reads, against the depth:\n\n" + t.markdown() + "\n";

    TextTable speed;
    speed.headers = {"model", "vs"};
    for (int64_t d : s.depths) speed.headers.push_back("depth " + std::to_string(d));
    speed.headers.push_back("paper, longest (Table 8, gen 2048)");
    speed.align.assign(2, Align::kLeft);
    speed.align.resize(speed.headers.size(), Align::kRight);
    const auto base_ms = s.step_ms.find(base);
    for (const auto& model : s.models) {
      if (model == base || base_ms == s.step_ms.end()) continue;
      std::vector<std::string> row = {model, base};
      for (int64_t d : s.depths) {
        const auto mine = s.step_ms.at(model).find(d), theirs = base_ms->second.find(d);
        const bool both = mine != s.step_ms.at(model).end() && theirs != base_ms->second.end();
        row.push_back(both ? signed_pct(mine->second / theirs->second) : "-");
      }
      row.push_back(paper_speedup(model, base));
      speed.add_row(row);
    }
    if (!speed.rows.empty()) {
      out += "Speed-up of a decode step over MobileLLM, `1 - variant/baseline`, against the depth:\n\n" +
             speed.markdown() + "\n";
    }

    TextTable fits;
    fits.headers = {"model", "longest depth in " + fixed(memory_bytes / 1e9, 1) + " GB", "checked at depth",
                    "predicted peak", "measured peak", "error"};
    fits.align.assign(fits.headers.size(), Align::kRight);
    fits.align[0] = Align::kLeft;
    for (const auto& model : s.models) {
      const bench::PointResult& deepest = *s.deepest.at(model);
      const models::ModelConfig config = models::resolve_model_or_config(model);
      const double predicted = bench::decode_memory(config, deepest.point).peak_bytes();
      std::string measured = "-", error = "-";
      for (const char* key : kCountedPeaks) {
        if (const auto it = deepest.values.find(key); it != deepest.values.end() && it->second > 0) {
          measured = fixed(it->second / 1e6, 1) + " MB";
          error = fixed(100 * (predicted - it->second) / it->second, 1) + "%";
        }
      }
      fits.add_row({model, std::to_string(longest_depth(deepest.point, config, memory_bytes)),
                    std::to_string(deepest.point.axis(Axis::kDepth)), fixed(predicted / 1e6, 1) + " MB", measured,
                    error});
    }
    out += "The longest cache each model fits, by the memory prediction (bench/memory_model.h), and the prediction " +
           std::string("set against the counted peak of the deepest measured point:\n\n") + fits.markdown() + "\n";
  }
  return out;
}

}  // namespace shishu::reports
