// What the closed-form model says of one point, from its config and shape alone: the
// memory it holds at its peak, and the work one repetition does, declared as nvbench's
// benchmarks declare theirs. Torch-free: the metric table (bench/metrics.h) names the
// field each predicted_* figure comes from, and achieved FLOP/s and bandwidth are
// derived from `flops` and `bytes` for every phase.
#pragma once

namespace shishu::bench {

struct Prediction {
  double weight_bytes = 0, kv_cache_bytes = 0, logits_bytes = 0, grad_bytes = 0;
  double optimizer_bytes = 0;   // train_step only
  double activation_bytes = 0;  // the training phases: what autograd keeps for backward
  double transient_bytes = 0;   // short-lived tensors alive at the peak (backward_transient_bytes)
  // The predicted peak. 0: the sum of the terms (forward, generate: everything is alive
  // at once). The training phases set it to the larger of backward's two moments
  // (training_peak_bytes).
  double total_bytes = 0;

  double flops = 0;   // matmul FLOPs of one repetition (timed by latency_ms)
  double tokens = 0;  // tokens one repetition processes, for tokens/s
  // The least bytes one interval of `bytes_interval` (a sampled metric) moves, recorded
  // under `bytes_metric`.
  double bytes = 0;
  const char* bytes_interval = "latency_ms";
  const char* bytes_metric = "moved_bytes";

  double sum_of_terms() const {
    return weight_bytes + kv_cache_bytes + logits_bytes + grad_bytes + optimizer_bytes + activation_bytes +
           transient_bytes;
  }
  double peak_bytes() const { return total_bytes > 0 ? total_bytes : sum_of_terms(); }
};

}  // namespace shishu::bench
