#include "reports/export.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "bench/metrics.h"
#include "bench/stats.h"
#include "reports/change.h"

namespace shishu::reports {
namespace {

using nlohmann::json;

struct Figure {
  std::string metric;
  double value, lower, upper;
  size_t n;  // replicates; 1 for a scalar
};

// Every directional figure of an ok point: medians with their replicate range, scalars as they are.
std::vector<Figure> figures(const bench::PointResult& p) {
  std::vector<Figure> out;
  if (p.status != bench::Status::kOk) return out;
  for (const auto& [metric, samples] : p.samples) {
    if (bench::metric(metric).direction == bench::Direction::kNeutral || samples.empty()) continue;
    const auto values = replicate_values(p, metric);
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    out.push_back({metric, bench::summarize(values).median, *lo, *hi, values.size()});
  }
  for (const auto& [metric, value] : p.values) {
    if (bench::metric(metric).direction == bench::Direction::kNeutral) continue;
    out.push_back({metric, value, value, value, 1});
  }
  return out;
}

}  // namespace

ExportFormat parse_export_format(const std::string& name) {
  if (name == "bencher") return ExportFormat::kBencher;
  if (name == "github-action-benchmark") return ExportFormat::kGithubActionBenchmark;
  throw std::invalid_argument("unknown export format '" + name + "'; use bencher or github-action-benchmark");
}

json bencher_metric_format(const LoadedReport& r) {
  json out = json::object();
  for (const auto& p : r.points) {
    for (const auto& f : figures(p)) {
      json m = {{"value", f.value}};
      if (f.n > 1) {
        m["lower_value"] = f.lower;
        m["upper_value"] = f.upper;
      }
      out[p.point.id()][f.metric] = m;
    }
  }
  return out;
}

json github_action_benchmark(const LoadedReport& r) {
  json smaller = json::array(), bigger = json::array();
  const std::string commit = r.context.value("git_commit", "?").substr(0, 12);
  for (const auto& p : r.points) {
    for (const auto& f : figures(p)) {
      const bench::Metric& m = bench::metric(f.metric);
      char range[96];
      std::snprintf(range, sizeof range, "%.4g to %.4g (%zu replicates)", f.lower, f.upper, f.n);
      json entry = {{"name", p.point.id() + " " + f.metric},
                    {"unit", std::string(m.unit)},
                    {"value", f.value},
                    {"extra", "median; commit " + commit + "; " + std::string(m.meaning)}};
      if (f.n > 1) entry["range"] = range;
      (m.direction == bench::Direction::kLowerIsBetter ? smaller : bigger).push_back(entry);
    }
  }
  return {{"customSmallerIsBetter", smaller}, {"customBiggerIsBetter", bigger}};
}

}  // namespace shishu::reports
