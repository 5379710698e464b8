#include "reports/arch_compare.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "bench/metrics.h"
#include "data/paper_tables.h"
#include "models/analytic.h"
#include "models/registry.h"
#include "reports/text_table.h"

namespace shishu::reports {
namespace {

// One comparison column: which points, which metric, and how the paper table names
// the same swept value. "gain" turns a (variant / baseline) ratio into the figure shown.
struct Aspect {
  const char* header;
  const char* phase;
  std::vector<std::string> metrics;
  bench::Axis column_axis;  // our axis, whose name prefixes the paper table's columns
  const char* paper_csv;
  enum { kSpeedupPct, kTimesFaster, kSavedPct } gain;
};

const std::vector<Aspect>& aspects() {
  using bench::Axis;
  static const std::vector<Aspect> kAspects = {
      {"forward speed-up", "forward", {"latency_ms"}, Axis::kSeq, "table6_forward_latency_ms.csv", Aspect::kSpeedupPct},
      {"fwd+bwd speed-up", "forward_backward", {"latency_ms"}, Axis::kSeq, "table7_forward_backward_latency_ms.csv",
       Aspect::kSpeedupPct},
      {"generation speed-up", "generate", {"latency_ms"}, Axis::kGen, "table8_generation_latency_ms.csv",
       Aspect::kSpeedupPct},
      {"throughput", "generate", {"throughput_tok_s"}, Axis::kBatch, "table10_throughput_tokens_per_s.csv",
       Aspect::kTimesFaster},
      {"memory saved", "generate", bench::peak_memory_metrics(), Axis::kGen, "table9_peak_generation_memory_mb.csv",
       Aspect::kSavedPct},
  };
  return kAspects;
}

// Geometric mean of variant/baseline ratios: the typical relative change, symmetric in
// the sense that a 2x and a 0.5x cancel.
double geomean(const std::vector<double>& ratios) {
  double s = 0;
  for (double r : ratios) s += std::log(r);
  return std::exp(s / ratios.size());
}

std::string show(double ratio, int gain) {
  char buf[32];
  if (gain == Aspect::kTimesFaster) {
    std::snprintf(buf, sizeof buf, "%.2fx", ratio);
  } else {
    std::snprintf(buf, sizeof buf, "%+.1f%%", (1.0 - ratio) * 100);
  }
  return buf;
}

}  // namespace

std::string width_family(const std::string& model) {
  const auto colon = model.find(':');
  const std::string base = model.substr(0, colon);
  if (models::find_family(base)) return base;
  if (const auto* v = models::find_variant(base)) return std::string(v->family);
  return "";
}

std::string architecture_comparison(const LoadedReport& report) {
  // (setting, model, aspect) -> { axis value -> headline }
  struct Key {
    std::string setting;  // dtype, device, mode
    std::string model;
    bool operator<(const Key& o) const { return std::tie(setting, model) < std::tie(o.setting, o.model); }
  };
  std::map<Key, std::map<size_t, std::map<std::string, double>>> data;  // aspect -> "other axes|value" -> figure
  std::vector<std::string> settings, models_seen;
  for (const auto& r : report.points) {
    if (r.status != bench::Status::kOk) continue;
    const auto& p = r.point;
    const std::string setting = p.dtype.name + ", " + p.device.str() + ", " + p.mode.name();
    if (std::find(settings.begin(), settings.end(), setting) == settings.end()) settings.push_back(setting);
    if (std::find(models_seen.begin(), models_seen.end(), p.model) == models_seen.end()) models_seen.push_back(p.model);
    for (size_t a = 0; a < aspects().size(); ++a) {
      const Aspect& asp = aspects()[a];
      if (p.phase != asp.phase || !p.has(asp.column_axis)) continue;
      double v = 0;
      if (!first_headline(r, asp.metrics, &v)) continue;
      // Match on every axis but the model; keep the swept value to look up the paper.
      const std::string match = p.id().substr(p.id().find('/', p.id().find('/') + 1)) + "|" + std::to_string(p.axis(asp.column_axis));
      data[{setting, p.model}][a][match] = v;
    }
  }

  std::string out = "## Architecture comparison\n\n"
                    "Each cell: ours / the paper's, against MobileLLM of the same widths. Speed-up and memory saved are\n"
                    "`(1 - variant/baseline)`, throughput is `variant/baseline`; each is the geometric mean over the points\n"
                    "both models ran, and the paper's figure is computed from its Tables 6-10 over the same swept values\n"
                    "(its own setting: bf16 on an H200, prefill 2048). `-` where either side has no data.\n\n";
  for (const auto& setting : settings) {
    TextTable t;
    t.headers = {"model", "vs"};
    for (const auto& a : aspects()) t.headers.emplace_back(a.header);
    t.headers.insert(t.headers.end(), {"params", "params vs base", "KV B/token (bf16)"});
    t.align.assign(2, Align::kLeft);
    t.align.resize(t.headers.size(), Align::kRight);
    for (const auto& model : models_seen) {
      const std::string family = width_family(model);
      const std::string base = "mobilellm-" + family;
      if (family.empty() || model == base || !models::find_variant(base)) continue;
      if (!data.count({setting, model}) || !data.count({setting, base})) continue;
      const auto& mine = data[{setting, model}];
      const auto& theirs = data[{setting, base}];
      const models::Variant* variant = models::find_variant(model);
      std::vector<std::string> row = {model, base};
      for (size_t a = 0; a < aspects().size(); ++a) {
        const Aspect& asp = aspects()[a];
        std::vector<double> ours, paper;
        auto mi = mine.find(a), ti = theirs.find(a);
        if (mi != mine.end() && ti != theirs.end()) {
          for (const auto& [match, v] : mi->second) {
            auto tj = ti->second.find(match);
            if (tj == ti->second.end() || tj->second <= 0 || v <= 0) continue;
            ours.push_back(v / tj->second);
            if (!variant) continue;
            const std::string column = bench::axis_name(asp.column_axis) + match.substr(match.rfind('|') + 1);
            const auto& table = paper::table(asp.paper_csv);
            auto pv = table.number(variant->paper_row, column);
            auto pb = table.number(base, column);
            if (pv && pb && *pb > 0) paper.push_back(*pv / *pb);
          }
        }
        row.push_back(ours.empty() ? "-"
                                   : show(geomean(ours), asp.gain) + " / " +
                                         (paper.empty() ? std::string("-") : show(geomean(paper), asp.gain)));
      }
      const auto cfg = models::resolve_model(model), base_cfg = models::resolve_model(base);
      const int64_t params = models::count_params(cfg).total, base_params = models::count_params(base_cfg).total;
      row.push_back(with_thousands(params));
      char pct[32];
      std::snprintf(pct, sizeof pct, "%+.1f%%", 100.0 * (double(params) / double(base_params) - 1));
      row.push_back(pct);
      row.push_back(with_thousands(models::kv_bytes_per_token(cfg, 2)) + " vs " +
                    with_thousands(models::kv_bytes_per_token(base_cfg, 2)));
      t.add_row(row);
    }
    if (t.rows.empty()) continue;
    out += "### " + setting + "\n\n" + t.markdown() + "\n";
  }
  return out;
}

}  // namespace shishu::reports
