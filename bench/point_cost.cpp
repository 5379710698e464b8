#include "bench/point_cost.h"

#include <algorithm>
#include <stdexcept>

#include "bench/phase.h"
#include "models/hf_format.h"

namespace shishu::bench {

NominalCeilings nominal_ceilings(base::DeviceKind kind) {
  return kind == base::DeviceKind::kCuda ? NominalCeilings{400e12, 3e12} : NominalCeilings{0.2e12, 20e9};
}

int runs_per_point(const SweepSettings& settings) {
  const int repetitions = settings.noise ? std::max(settings.noise->min_samples, 1) : settings.repetitions;
  return settings.warmup + repetitions;
}

double predicted_seconds(const Point& p, const SweepSettings& settings) {
  const Prediction pred = phase_hooks(p.phase).predict(models::resolve_model_or_config(p.model), p);
  const NominalCeilings c = nominal_ceilings(p.device.kind);
  // `bytes` are per interval of `bytes_interval`: one a repetition, or one a decode step.
  const double intervals = std::string(pred.bytes_interval) == "latency_ms" ? 1 : double(phase_hooks(p.phase).marks(p));
  const double repetition = std::max(pred.flops / c.flops_per_s, pred.bytes * intervals / c.bytes_per_s);
  return repetition * double(runs_per_point(settings));
}

PointCosts point_costs(const std::vector<Point>& points, const SweepSettings& settings, const RepetitionModel& model) {
  PointCosts c;
  std::vector<double> nominal(points.size(), 0), ratios;
  std::vector<bool> priced(points.size(), false);
  c.seconds.assign(points.size(), 0);
  for (size_t i = 0; i < points.size(); ++i) {
    if (!skip_reason(points[i]).empty()) continue;  // never runs: costs nothing
    nominal[i] = predicted_seconds(points[i], settings);
    c.seconds[i] = nominal[i];
    if (!model) continue;
    std::string why;
    if (const auto ms = model(points[i], &why)) {
      c.seconds[i] = *ms / 1e3 * double(runs_per_point(settings));
      priced[i] = true;
      ++c.from_model;
      if (nominal[i] > 0) ratios.push_back(c.seconds[i] / nominal[i]);
    } else {
      ++c.fallback;
      if (c.first_fallback.empty()) c.first_fallback = why;
    }
  }
  if (!model) return c;
  if (c.from_model == 0) {
    throw std::invalid_argument("--shard-cost: the cost model predicts none of the sweep's points (" +
                                (c.first_fallback.empty() ? std::string("none runs") : c.first_fallback) + ")");
  }
  if (!ratios.empty()) {
    std::sort(ratios.begin(), ratios.end());
    const size_t n = ratios.size();
    c.factor = n % 2 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
  }
  for (size_t i = 0; i < points.size(); ++i) {
    if (!priced[i]) c.seconds[i] = nominal[i] * c.factor;
  }
  return c;
}

}  // namespace shishu::bench
