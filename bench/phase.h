// A phase of a point (forward, forward+backward, generation, ...) in one place: what it
// prepares, what one timed repetition does, and what the closed-form model predicts for
// it. Each phase is one file under bench/phases/ and one row in phases/registry.cpp;
// PointRunner knows phases only through this interface.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <memory>

#include "bench/clock.h"
#include "bench/device_info.h"
#include "bench/point.h"
#include "bench/result.h"
#include "models/dtype.h"
#include "models/model_config.h"
#include "models/transformer.h"

namespace shishu::bench {

// What a phase works on: the live model, built for the point's model, precision (its
// storage type) and device.
struct PhaseContext {
  models::Transformer model;
  const models::ModelConfig& config;
  c10::Device device;
  models::Precision precision;
  uint64_t seed;
};

// One point's phase, prepared: its inputs and state (caches, graphs, optimizer), kept
// across the warm-up and every repetition.
class PreparedPhase {
 public:
  virtual ~PreparedPhase() = default;
  // One repetition: on_start, then one mark per completed unit (a pass, or a token),
  // read back once at the end. `result` is null for warm-up and profiling passes.
  virtual void run(Timeline& clock, PointResult* result) = 0;
};

// Input tokens (B, len) int64 on `device`: a pure function of the seed and the point, so
// a point re-run alone (--benchmark_filter, --resume) sees the same inputs.
at::Tensor point_tokens(const Point& p, int64_t len, int64_t vocab, uint64_t seed, c10::Device device);

// The shape the sequence phases share (forward, forward_backward, train_step): a (B, T)
// batch of tokens, and one timed unit of work per repetition.
class TimedPass : public PreparedPhase {
 public:
  TimedPass(const PhaseContext& c, const Point& p)
      : model_(c.model),
        precision_(c.precision),
        tokens_(point_tokens(p, p.seq, c.config.widths.vocab, c.seed, c.device)) {}

 protected:
  // One repetition: `work` between the start mark and one end mark, its latency recorded.
  template <typename Work>
  void time(Timeline& clock, PointResult* result, Work&& work) {
    clock.on_start();
    work();
    clock.on_token(0);
    const double ms = clock.read_ms()[0];
    if (result) result->add_sample("latency_ms", ms);
  }

  // Forward (under autocast for a mixed precision), next-token loss, backward, each in
  // its profiler range. Gradients accumulate into whatever .grad holds.
  void forward_backward();

  models::Transformer model_;
  models::Precision precision_;
  at::Tensor tokens_;  // (B, T)
};

// Closed-form figures from the config and the point alone.
struct Prediction {
  double weight_bytes = 0, kv_cache_bytes = 0, logits_bytes = 0, grad_bytes = 0;
  double optimizer_bytes = 0;   // train_step only
  double activation_bytes = 0;  // the training phases: what autograd keeps for backward
  double transient_bytes = 0;   // short-lived tensors alive at the peak (backward_transient_bytes)
  // The predicted peak. 0: the sum of the terms (forward, generate: everything is alive
  // at once). The training phases set it to the larger of backward's two moments
  // (training_peak_bytes).
  double total_bytes = 0;
  double flops = 0;   // matmul FLOPs of one repetition
  double tokens = 0;  // tokens one repetition processes, for tokens/s
};

struct PhaseSpec {
  Phase phase;
  // Timeline marks one repetition sets after its start (1, or G for generation).
  int64_t (*marks)(const Point& p);
  // Builds inputs and state; throws on failure (an OOM included).
  std::unique_ptr<PreparedPhase> (*prepare)(const PhaseContext& context, const Point& p);
  // Weights and gradients in the precision's storage type, activations in its compute type.
  Prediction (*predict)(const models::ModelConfig& config, const Point& p, const models::Precision& precision);
  // Figures only this phase has, from its samples (decode bandwidth); may be null.
  void (*derive)(const models::ModelConfig& config, const Point& p, const models::Precision& precision,
                 const DeviceInfo& device, PointResult& result);
  // Whether mixed precision (amp_bf16) applies: to the training phases, not generation.
  bool mixed_precision = false;
  // Whether a repetition changes the weights (an optimizer step): the model is then
  // rebuilt for the next point, so every point starts from the same weights.
  bool changes_weights = false;
};

const PhaseSpec& phase_spec(Phase phase);

// train_step's AdamW learning rate. It changes no figure the phase records (an update
// costs the same at any rate); LibTorch's AdamW defaults hold otherwise.
inline constexpr double kTrainLearningRate = 1e-3;

// Bytes the weights occupy during a pass: every distinct parameter in the storage type,
// plus, under a mixed precision, autocast's cached compute-type copy of each (a weight is
// cast once per autocast region, and the copy is kept until the region ends).
double resident_weight_bytes(const models::ModelConfig& config, const models::Precision& precision);

// Bytes autograd keeps for backward over `tokens` tokens, per layer kind (an estimate that
// follows the ops in models/ and leaves out kernels' own workspaces); compute-type elements.
double activation_bytes(const models::ModelConfig& config, double tokens, const models::Precision& precision);

// A training step's peak is the larger of two moments of backward, measured on the CPU
// with the counting allocator (reports/PERFORMANCE.md, "Memory accounting"):
//  - its end: every gradient exists, and the tied embedding's two contributions (the
//    lookup's and the output projection's) are being summed out of place: the old
//    gradient, the new contribution and their sum, two vocab x d_model tensors beyond
//    the gradients (backward_transient_bytes);
//  - its start: the activations autograd kept, the logits, the loss's fp32 tensors and
//    the logits' gradients (in `logits_bytes` for the training phases).
// Weights (and AdamW's moments) are alive throughout:
//   peak = weights + optimizer + max(gradients + transient, activations + logits).
double backward_transient_bytes(const models::ModelConfig& config, const models::Precision& precision);
double training_peak_bytes(const Prediction& p);
// The training phases' logits term: the logits (B x T x V, compute type) and the loss's
// fp32 input (B x (T-1) x V), and at backward's start the gradient of each.
double training_logits_bytes(const models::ModelConfig& config, const Point& p, const models::Precision& precision);

// Mean next-token cross-entropy of tokens (B, T) under the model, computed in fp32
// (logits upcast first), as HF transformers does. Shared by the training phases.
at::Tensor next_token_loss(models::Transformer& model, const at::Tensor& tokens);

}  // namespace shishu::bench
