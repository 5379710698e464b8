// Per-phase numbers from one profiled pass: how many kernels (CPU: top-level operators)
// run per forward and per decode step, how busy the device is against wall time, where
// the time goes between attention layers and MLP-only layers, and the top kernels.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "profiles/range_names.h"
#include "profiles/trace.h"

namespace shishu::profiles {

struct KernelStat {
  std::string name;
  int64_t count = 0;
  double total_ms = 0;
};

struct ProfileSummary {
  std::string source;      // "cupti" or "record_function"
  std::string trace_file;  // relative to the run folder
  std::string work_unit;   // what is counted: "kernels" (CUDA) or "operators" (CPU, top-level ATen ops)
  int64_t dropped_records = 0;
  double wall_ms = 0;      // the profiled pass, host side
  double busy_ms = 0;      // union of kernel intervals (CUDA) or top-level operator intervals (CPU)
  double busy_fraction = 0;  // busy / wall; the rest is launch overhead and host work
  int64_t work_items = 0;    // kernels or operators in the pass
  double per_forward = -1;      // mean work items per "forward" range; -1 if none
  double per_prefill = -1;
  double per_decode_step = -1;
  double per_attention_layer = -1;  // mean work items issued inside one attention layer's range
  double per_mlp_only_layer = -1;   // and inside one MLP-only layer's
  int64_t graph_launches = 0;
  int64_t attention_layer_calls = 0, mlp_only_layer_calls = 0;
  double attention_layer_busy_ms = 0, mlp_only_layer_busy_ms = 0;  // work time issued inside the layer ranges
  double attention_layer_host_ms = 0, mlp_only_layer_host_ms = 0;  // host time inside the layer ranges
  std::vector<KernelStat> top;  // by total time, at most 10
};

ProfileSummary summarize_trace(const Trace& trace);

}  // namespace shishu::profiles
