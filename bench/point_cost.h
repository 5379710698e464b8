// A point's predicted seconds, for the shard plan (bench/shard_plan.h): its repetitions'
// FLOPs and least bytes (the phase's own prediction) against nominal ceilings of its
// device's kind, the larger of the two (a roofline), times its warm-up and repetitions.
// Nominal, never measured here: the same sweep must give the same shards on every
// machine, a login node included. What matters is the ratio of one point to another.
//
// With a calibration (`run --shard-cost MODEL.json`, cli/shard_cost.h), a point's
// repetition costs what the layout planner's cost model predicts, measured seconds of
// the device it was calibrated on; a point the model cannot predict (another width,
// dtype, device or backend, a quantity it was not calibrated on) costs its nominal
// seconds times the median ratio of predicted to nominal over the points it can, so all
// costs are in one unit. reports/SHARDING.md.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bench/point.h"
#include "bench/sweep.h"

namespace shishu::bench {

struct NominalCeilings {
  double flops_per_s, bytes_per_s;
};
// CPU: 0.2 TFLOP/s and 20 GB/s (the project's 2-vCPU machine, reports/PERFORMANCE.md);
// CUDA: 400 TFLOP/s and 3 TB/s (an H100 or H200 in bf16, at about 40% of the datasheet).
NominalCeilings nominal_ceilings(base::DeviceKind kind);

double predicted_seconds(const Point& p, const SweepSettings& settings);

// The runs of each point: its warm-up and its repetitions (noise-driven sampling: the
// least number of samples).
int runs_per_point(const SweepSettings& settings);

// One repetition's milliseconds by a cost model, or nullopt with the reason in *why_not,
// which names the point ("<id>: <why>").
using RepetitionModel = std::function<std::optional<double>(const Point& p, std::string* why_not)>;

struct PointCosts {
  std::vector<double> seconds;  // per point; 0 for one that never runs (skip_reason)
  int from_model = 0;           // points the model priced
  int fallback = 0;             // runnable points it could not, priced nominally x factor
  double factor = 1;            // median of model / nominal seconds over the modelled points
  std::string first_fallback;   // the first such point and why
};

// Nominal costs without a model. With one: throws std::invalid_argument when it prices
// none of the runnable points, naming the first and why.
PointCosts point_costs(const std::vector<Point>& points, const SweepSettings& settings,
                       const RepetitionModel& model = {});

}  // namespace shishu::bench
