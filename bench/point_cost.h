// A point's predicted seconds, for the shard plan (bench/shard_plan.h): its repetitions'
// FLOPs and least bytes (the phase's own prediction) against nominal ceilings of its
// device's kind, the larger of the two (a roofline), times its warm-up and repetitions.
// Nominal, never measured here: the same sweep must give the same shards on every
// machine, a login node included. What matters is the ratio of one point to another.
#pragma once
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

}  // namespace shishu::bench
