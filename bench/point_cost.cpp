#include "bench/point_cost.h"

#include <algorithm>

#include "bench/phase.h"
#include "models/hf_format.h"

namespace shishu::bench {

NominalCeilings nominal_ceilings(base::DeviceKind kind) {
  return kind == base::DeviceKind::kCuda ? NominalCeilings{400e12, 3e12} : NominalCeilings{0.2e12, 20e9};
}

double predicted_seconds(const Point& p, const SweepSettings& settings) {
  const Prediction pred = phase_hooks(p.phase).predict(models::resolve_model_or_config(p.model), p);
  const NominalCeilings c = nominal_ceilings(p.device.kind);
  // `bytes` are per interval of `bytes_interval`: one a repetition, or one a decode step.
  const double intervals = std::string(pred.bytes_interval) == "latency_ms" ? 1 : double(phase_hooks(p.phase).marks(p));
  const double repetition = std::max(pred.flops / c.flops_per_s, pred.bytes * intervals / c.bytes_per_s);
  const int repetitions = settings.noise ? std::max(settings.noise->min_samples, 1) : settings.repetitions;
  return repetition * double(settings.warmup + repetitions);
}

}  // namespace shishu::bench
