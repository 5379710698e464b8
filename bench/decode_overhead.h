// How much the generation loop adds to the model's own decode step. In one process and
// at the same cache lengths it times (a) the decode steps of greedy generation as the
// sweep measures them (argmax, token bookkeeping, clock marks included) and (b) the
// bare single-token forward_cached call alone. The ratio of medians is the harness's
// overhead factor; 1.00 means the loop costs nothing measurable.
#pragma once
#include <string>

#include "bench/stats.h"

namespace shishu::bench {

struct OverheadOptions {
  std::string model = "mobilellm-125m";
  std::string dtype = "fp32";
  std::string device = "cpu";
  int64_t batch = 1, prefill = 128, gen = 64;
  int repetitions = 5;
  uint64_t seed = 0;
};

struct OverheadResult {
  Summary generate_step_ms;  // decode steps inside generate_greedy, pooled over repetitions
  Summary bare_step_ms;      // forward_cached on one token at the same positions
  double ratio = 0;          // generate median / bare median
};

OverheadResult measure_decode_overhead(const OverheadOptions& options);

}  // namespace shishu::bench
