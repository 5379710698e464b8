#include "reports/planner_observations.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "bench/stats.h"
#include "models/hf_format.h"
#include "planner/model_file.h"

namespace shishu::reports {
namespace {

using nlohmann::json;
using planner::Quantity;
using planner::Workload;

int64_t ax(const bench::Point& p, bench::Axis a) { return p.axis(a); }

Workload sequence(Quantity q, const bench::Point& p) { return {q, p.batch(), ax(p, bench::Axis::kSeq), 0}; }

bool one_piece(const bench::Point& p) { return p.axis_or(bench::Axis::kPrefillChunk, 0) == 0; }

std::string text_of(const json& context, const char* key) {
  const json v = context.value(key, json());
  return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
}

const json* device_entry(const LoadedReport& r, const std::string& device) {
  const auto devices = r.context.find("devices");  // its type was checked at load
  if (devices == r.context.end()) return nullptr;
  for (const auto& d : *devices) {
    if (d.value("device", "") == device) return &d;
  }
  return nullptr;
}

// One report's points' devices, dtypes and decode backends (generate and decode only).
struct Axes {
  std::set<std::string> devices, dtypes, modes;
};
Axes axes_of(const LoadedReport& r) {
  Axes a;
  for (const auto& p : r.points) {
    a.devices.insert(p.point.device.str());
    a.dtypes.insert(p.point.dtype.name);
    if (p.point.phase == "generate" || p.point.phase == "decode") a.modes.insert(p.point.mode.name());
  }
  return a;
}

std::string joined(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Half the range of `values` over `centre`: the noise estimator of the header.
double half_range(const std::vector<double>& values, double centre) {
  if (values.size() < 2 || !(centre > 0)) return 0;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return (*hi - *lo) / 2 / centre;
}

double median(std::vector<double> v) { return bench::summarize(v).median; }

// The phase's own length axis, for the corner.
int64_t length_of(const bench::Point& p) {
  for (auto a : {bench::Axis::kSeq, bench::Axis::kPrefill, bench::Axis::kDepth}) {
    if (p.has(a)) return p.axis(a);
  }
  return 0;
}

}  // namespace

const std::vector<QuantityMapping>& quantity_mappings() {
  using P = const bench::Point&;
  using bench::Axis;
  static const std::vector<QuantityMapping> table = {
      {"forward", Quantity::forward_ms, "latency_ms", "latency_ms",
       [](P p) { return sequence(Quantity::forward_ms, p); }, nullptr},
      {"forward_backward", Quantity::forward_backward_ms, "latency_ms", "latency_ms",
       [](P p) { return sequence(Quantity::forward_backward_ms, p); }, nullptr},
      {"train_step", Quantity::train_step_ms, "latency_ms", "latency_ms",
       [](P p) { return sequence(Quantity::train_step_ms, p); }, nullptr},
      {"generate", Quantity::ttft_ms, "ttft_ms", "ttft_ms",
       [](P p) { return Workload{Quantity::ttft_ms, p.batch(), ax(p, Axis::kPrefill), 0}; }, one_piece},
      {"generate", Quantity::throughput_tok_s, "throughput_tok_s", "throughput_tok_s",
       [](P p) {
         return Workload{Quantity::throughput_tok_s, p.batch(), 1, ax(p, Axis::kPrefill) + (ax(p, Axis::kGen) - 2) / 2};
       },
       nullptr},
      {"decode", Quantity::decode_ms, "decode_step_ms", "latency_ms",
       [](P p) {
         return Workload{Quantity::decode_ms, p.batch(), 1, ax(p, Axis::kDepth) + (ax(p, Axis::kGen) - 1) / 2};
       },
       nullptr},
      {"forward", Quantity::peak_mb, "", "", [](P p) { return sequence(Quantity::peak_mb, p); }, nullptr},
      {"forward_backward", Quantity::peak_mb, "", "", [](P p) { return sequence(Quantity::peak_mb, p); }, nullptr},
      {"train_step", Quantity::peak_mb, "", "", [](P p) { return sequence(Quantity::peak_mb, p); }, nullptr},
      {"generate", Quantity::peak_mb, "", "",
       [](P p) { return Workload{Quantity::peak_mb, p.batch(), ax(p, Axis::kPrefill), 0}; }, nullptr},
      {"decode", Quantity::peak_mb, "", "",
       [](P p) {
         return Workload{Quantity::peak_mb, p.batch(), 1, ax(p, Axis::kDepth) + ax(p, Axis::kGen) - 1};
       },
       nullptr},
  };
  return table;
}

std::vector<const QuantityMapping*> mappings_for(const bench::Point& p) {
  std::vector<const QuantityMapping*> out;
  for (const auto& m : quantity_mappings()) {
    if (p.phase == m.phase && (!m.applies || m.applies(p))) out.push_back(&m);
  }
  return out;
}

const char* peak_metric(const bench::Point& p) {
  return p.device.is_cuda() ? "cuda_peak_allocated_bytes" : "cpu_peak_allocated_bytes";
}

std::string measured_metric(const QuantityMapping& m, const bench::Point& p) {
  return m.quantity == Quantity::peak_mb ? peak_metric(p) : m.metric;
}

planner::Provenance provenance_of(const LoadedReport& r) {
  const Axes a = axes_of(r);
  if (a.devices.size() != 1) {
    throw std::invalid_argument(r.path + ": points on " + (a.devices.empty() ? "no device" : joined(a.devices)) +
                                ": a cost model is calibrated on one device");
  }
  if (a.dtypes.size() != 1) {
    throw std::invalid_argument(r.path + ": points in dtypes " + joined(a.dtypes) +
                                ": a cost model is calibrated in one dtype");
  }
  if (a.modes.size() > 1) {
    throw std::invalid_argument(r.path + ": generate and decode points through the backends " + joined(a.modes) +
                                ": a cost model is calibrated on one decode backend");
  }
  const std::string device = *a.devices.begin();
  const bench::Point& first = r.points.front().point;
  planner::Provenance p;
  const json* entry = device_entry(r, device);
  const std::string name = entry ? entry->value("name", "") : "";
  p.device = std::string(first.device.is_cuda() ? "cuda" : "cpu") + ": " + (name.empty() ? "unknown" : name);
  p.dtype = first.dtype.name;
  p.build_commit = text_of(r.context, "git_commit");
  if (p.build_commit.empty()) p.build_commit = "unknown";
  if (r.context.value("git_dirty", json(false)) == json(true)) p.build_commit += "+dirty";
  p.bytes_per_element = models::element_bytes(first.dtype.storage);
  p.context = json::object();
  for (const char* key : {"libtorch_version", "host", "build_type", "compiler", "preset", "tool"}) {
    if (r.context.contains(key)) p.context[key] = r.context[key];
  }
  if (entry) {
    for (const char* key : {"compute_units", "torch_threads", "memory_bytes"}) {
      if (entry->contains(key)) p.context[key] = (*entry)[key];
    }
  }
  // Only where it decodes: a report of forward phases alone says nothing of a backend.
  if (!a.modes.empty()) p.context["decode_backend"] = *a.modes.begin();
  return p;
}

planner::Ceilings measured_ceilings(const LoadedReport& r) {
  // bench/ceilings.h names the matmul dtype as LibTorch does (c10::toString).
  static const std::map<models::Element, std::string> kTorchName = {
      {models::Element::kF32, "Float"}, {models::Element::kBf16, "BFloat16"}, {models::Element::kF16, "Half"}};
  if (r.points.empty()) return {};
  const bench::Point& first = r.points.front().point;
  const json* entry = device_entry(r, first.device.str());
  if (!entry) return {};
  for (const auto& c : entry->value("measured_ceilings", json::array())) {
    if (!c.is_object() || c.value("matmul_dtype", "") != kTorchName.at(first.dtype.compute)) continue;
    const json flops = c.value("matmul_flops_per_s", json()), bytes = c.value("copy_bytes_per_s", json());
    if (flops.is_number() && bytes.is_number()) return {flops.get<double>(), bytes.get<double>()};
  }
  return {};
}

ObservationSet observations_from(const std::vector<LoadedReport>& rounds) {
  if (rounds.empty()) throw std::invalid_argument("no report was given");
  ObservationSet set;
  std::map<std::string, std::string> runs;  // host and start time -> the report's path
  for (const auto& r : rounds) {
    require_measured(r, "a calibration");
    if (r.points.empty()) throw std::invalid_argument(r.path + ": the report has no points");
    // One run given twice would count as two rounds that agree: zero noise, no drift.
    const std::string run = text_of(r.context, "host") + " at " + text_of(r.context, "started_at");
    if (const auto [it, fresh] = runs.emplace(run, r.path); !fresh) {
      throw std::invalid_argument(r.path + " and " + it->second + " are one run (" + run +
                                  "): give each round once");
    }
  }
  set.provenance = provenance_of(rounds.front());
  for (size_t i = 1; i < rounds.size(); ++i) {
    const auto d = planner::provenance_difference(set.provenance, provenance_of(rounds[i]));
    if (d) {
      throw std::invalid_argument("the reports differ in " + d->field + ": '" + d->a + "' (" + rounds.front().path +
                                  ") vs '" + d->b + "' (" + rounds[i].path +
                                  "): the rounds of one calibration come from one device, dtype and build");
    }
  }
  json paths = json::array();
  for (const auto& r : rounds) paths.push_back(r.path);
  set.provenance.context["reports"] = paths;
  set.ceilings = measured_ceilings(rounds.front());
  set.rounds = static_cast<int>(rounds.size());

  // Point ids in order of first appearance, and each round's result of each.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const bench::PointResult*>> by_id;
  for (const auto& r : rounds) {
    for (const auto& p : r.points) {
      auto& list = by_id[p.point.id()];
      if (list.empty()) order.push_back(p.point.id());
      list.push_back(&p);
    }
  }
  std::map<std::string, int> not_ok;  // status -> points ok in no round
  int partial = 0, unmodelled = 0;
  std::map<std::string, int> lacking;  // metric -> points without it
  for (const auto& id : order) {
    std::vector<const bench::PointResult*> ok;
    for (const auto* r : by_id[id]) {
      if (r->status == bench::Status::kOk) ok.push_back(r);
    }
    const bench::Point& point = by_id[id].front()->point;
    if (ok.empty()) {
      ++not_ok[bench::to_string(by_id[id].front()->status)];
      continue;
    }
    partial += ok.size() < rounds.size();
    const auto rows = mappings_for(point);
    unmodelled += rows.empty();
    const models::ModelConfig model = models::resolve_model_or_config(point.model);
    for (const QuantityMapping* m : rows) {
      const std::string metric = measured_metric(*m, point);
      std::vector<double> values;
      double analytic = 0;
      for (const auto* r : ok) {
        double v = 0;
        if (!headline(*r, metric, &v)) continue;
        if (m->quantity == Quantity::peak_mb) {
          if (!headline(*r, "predicted_total_bytes", &analytic)) continue;
          v /= 1e6;
        }
        values.push_back(v);
      }
      if (values.empty()) {
        ++lacking[metric + (m->quantity == Quantity::peak_mb ? " or predicted_total_bytes" : "")];
        continue;
      }
      planner::Observation o;
      o.model = model;
      o.workload = m->workload(point);
      o.workload.analytic_mb = analytic / 1e6;
      o.measured = median(values);
      if (values.size() >= 2) {
        o.noise_rel = half_range(values, o.measured);
      } else if (*m->noise_metric) {
        const auto it = ok.front()->samples.find(m->noise_metric);
        if (it != ok.front()->samples.end()) o.noise_rel = half_range(it->second, median(it->second));
      }
      set.observations.push_back(o);
      set.sources.push_back({id, point.phase, point.batch(), length_of(point), static_cast<int>(values.size())});
    }
  }
  for (const auto& [status, n] : not_ok) {
    set.notes.push_back(std::to_string(n) + " point(s) left out: " + status + " in every report");
  }
  if (partial) set.notes.push_back(std::to_string(partial) + " point(s) ok in only some of the reports: pooled over those");
  if (unmodelled) set.notes.push_back(std::to_string(unmodelled) + " point(s) of a phase the planner does not model");
  for (const auto& [metric, n] : lacking) {
    set.notes.push_back(std::to_string(n) + " point(s) without " + metric + ": that figure is left out");
  }
  if (set.observations.empty()) {
    throw std::invalid_argument(rounds.front().path + ": no point gives the planner an observation" +
                                (set.notes.empty() ? "" : " (" + set.notes.front() + ")"));
  }
  return set;
}

bool same_layout(const models::ModelConfig& a, const models::ModelConfig& b) {
  for (const auto& f : planner::width_fields()) {
    if (a.widths.*(f.field) != b.widths.*(f.field)) return false;
  }
  return a.layout.to_string() == b.layout.to_string();
}

std::vector<models::ModelConfig> models_of(const ObservationSet& set) {
  std::vector<models::ModelConfig> out;
  for (const auto& o : set.observations) {
    if (std::none_of(out.begin(), out.end(), [&](const auto& m) { return same_layout(m, o.model); })) {
      out.push_back(o.model);
    }
  }
  return out;
}

ObservationSet select_models(const ObservationSet& set, const std::vector<std::string>& keep,
                             const std::vector<std::string>& exclude, const std::string& flag) {
  const auto present = models_of(set);
  auto resolved = [&](const std::vector<std::string>& names) {
    std::vector<models::ModelConfig> out;
    for (const auto& n : names) {
      out.push_back(models::resolve_model_or_config(n));
      if (std::none_of(present.begin(), present.end(), [&](const auto& m) { return same_layout(m, out.back()); })) {
        std::string have;
        for (const auto& m : present) have += (have.empty() ? "" : ", ") + m.name;
        throw std::invalid_argument(flag + ": '" + n + "' is not among the reports' models (" + have + ")");
      }
    }
    return out;
  };
  const auto keep_models = resolved(keep), drop_models = resolved(exclude);
  auto in = [](const std::vector<models::ModelConfig>& list, const models::ModelConfig& m) {
    return std::any_of(list.begin(), list.end(), [&](const auto& x) { return same_layout(x, m); });
  };
  ObservationSet out = set;
  out.observations.clear();
  out.sources.clear();
  for (size_t i = 0; i < set.observations.size(); ++i) {
    const auto& m = set.observations[i].model;
    if ((keep.empty() || in(keep_models, m)) && !in(drop_models, m)) {
      out.observations.push_back(set.observations[i]);
      out.sources.push_back(set.sources[i]);
    }
  }
  if (out.observations.empty()) throw std::invalid_argument(flag + ": no observation is left");
  return out;
}

ObservationSet take_corner(ObservationSet& set) {
  std::map<std::string, std::pair<int64_t, int64_t>> largest;  // phase -> (batch, length)
  std::map<std::string, std::set<std::pair<int64_t, int64_t>>> shapes;
  for (const auto& s : set.sources) {
    auto& l = largest[s.phase];
    l = {std::max(l.first, s.batch), std::max(l.second, s.length)};
    shapes[s.phase].insert({s.batch, s.length});
  }
  ObservationSet corner = set, rest = set;
  corner.observations.clear(), corner.sources.clear(), rest.observations.clear(), rest.sources.clear();
  for (size_t i = 0; i < set.sources.size(); ++i) {
    const auto& s = set.sources[i];
    const bool at_corner = shapes[s.phase].size() > 1 && std::make_pair(s.batch, s.length) == largest[s.phase];
    (at_corner ? corner : rest).observations.push_back(set.observations[i]);
    (at_corner ? corner : rest).sources.push_back(s);
  }
  set = std::move(rest);
  return corner;
}

}  // namespace shishu::reports
