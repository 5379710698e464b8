// What the planner predicts: one row per measured quantity, the workload a prediction is
// for, and one measured observation. Torch-free: it reads models_core only.
//
// A workload is (batch B, new tokens T per sequence, cached depth D). How each
// quantity maps onto it:
//   forward_ms, forward_backward_ms, train_step_ms:  T = seq, D = 0, logits at T rows
//   ttft_ms:          T = prefill, D = 0, logits at the last row only
//   decode_ms:        T = 1, D = tokens already cached when the step runs
//   throughput_tok_s: T = 1, D = mean cached depth over the timed steps; the planner
//                     fits the step time B / throughput and converts back
//   peak_mb:          the phase's own (B, T, D), with the analytic prediction in MB
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/layout.h"
#include "models/model_config.h"

namespace shishu::planner {

enum class Quantity { forward_ms, forward_backward_ms, train_step_ms, ttft_ms, decode_ms, throughput_tok_s, peak_mb };

// time: milliseconds per call. rate: tokens per second, B / step time. memory: MB.
enum class Kind { time, rate, memory };

struct QuantityInfo {
  Quantity id;
  std::string_view name;  // stable key in files, budgets and messages
  std::string_view unit;
  std::string_view meaning;
  Kind kind;
  bool logits_every_row;  // forward-style phases project all T rows onto the vocabulary
  bool varies_tokens;     // T is an axis of this phase (a decode step has T = 1)
  bool varies_depth;      // D is an axis of this phase (a forward has D = 0)
  // Multiples of one forward's matmul FLOPs and minimum bytes, for the roofline and
  // FLOPs baselines: a backward costs about two forwards and reads the weights again;
  // a train step adds AdamW, which reads and writes each weight, gradient and moment.
  double flops_factor;
  double bytes_factor;
};

const std::vector<QuantityInfo>& quantities();
const QuantityInfo& info(Quantity q);
// Throws std::invalid_argument listing the known names.
Quantity parse_quantity(std::string_view name);

struct Workload {
  Quantity quantity = Quantity::forward_ms;
  int64_t batch = 1;
  int64_t new_tokens = 1;
  int64_t depth = 0;
  double analytic_mb = 0;  // peak_mb only: the phase's analytic peak for this point, MB
};

// Throws std::invalid_argument naming the bad field (non-positive batch or tokens, a
// negative depth, a peak_mb workload without its analytic prediction).
void validate(const Workload& w);

// A layout as the cost terms see it: how many layers of each kind run per call.
struct LayerCounts {
  int attention = 0;    // full decoder layers
  int mlp_sets = 0;     // MLP-only layers that are a parameter set's first use
  int tied_reuses = 0;  // MLP-only layers that reuse a set already run in this call
};
LayerCounts layer_counts(const models::Layout& layout);

struct Observation {
  models::ModelConfig model;  // resolved by the caller (models::resolve_model)
  Workload workload;
  double measured = 0;   // in the quantity's unit
  double noise_rel = 0;  // run-to-run noise as a fraction of `measured` (0: unknown)
};

// Throws std::invalid_argument starting "observation I (model, quantity): " for a bad
// workload, a measurement that is not positive and finite, or a negative noise.
void validate(const Observation& o, size_t index);

// The fitted target of a time model: milliseconds per call. A rate becomes the step
// time B / rate, in ms; time and memory pass through.
double fit_target(const Workload& w, double value);
// The inverse: a fitted value back in the quantity's own unit.
double from_fit_target(const Workload& w, double fitted);

}  // namespace shishu::planner
