// The naive predictors a cost model must beat, scored on the same points:
//   params    latency proportional to parameters (one fitted factor per quantity)
//   roofline  max(FLOPs / peak FLOP/s, bytes / peak bytes/s), from given ceilings
//   flops     FLOPs times one fitted efficiency factor per quantity
//   analytic  (peak_mb) the analytic prediction alone
// FLOPs and bytes come from models/analytic.h: forward_flops() over the attended span,
// and decode_step_bytes() (every executed weight plus the K/V read) as the bytes one
// call must move at least, each times the quantity's factor (quantity.h).
#pragma once
#include <string_view>
#include <vector>

#include "models/model_config.h"
#include "planner/quantity.h"

namespace shishu::planner {

struct Ceilings {
  double flops_per_s = 0;  // 0: unknown, the roofline baseline is left out
  double bytes_per_s = 0;
};

struct Baseline {
  std::string_view name;
  bool fitted;      // scaled by one factor fitted on the calibration (fit_factor)
  bool for_memory;  // applies to peak_mb, else to the time and rate quantities
  // Its prediction in the fit target's unit (ms per call, MB) before any fitted factor;
  // NaN where it cannot predict (no ceilings).
  double (*raw)(const models::ModelConfig& model, const Workload& w, int bytes_per_element, const Ceilings& ceil);
};

const std::vector<Baseline>& baselines();
bool applies(const Baseline& b, Quantity q);

// Least-squares factor k minimising sum(((k * raw_i) - y_i) / y_i)^2, the relative
// error the scores measure; 1 for an unfitted baseline.
double fit_factor(const Baseline& b, const std::vector<Observation>& calibration, int bytes_per_element);

}  // namespace shishu::planner
