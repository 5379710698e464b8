// What a phase does on LibTorch: what it prepares, what one timed repetition does, and
// what the closed-form model predicts for it. Each phase is one file under bench/phases/
// that registers its row (bench/phase_row.h) with these hooks; PointRunner knows phases
// only through them.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <memory>

#include "bench/clock.h"
#include "bench/device_info.h"
#include "bench/phase_row.h"
#include "bench/point.h"
#include "bench/point_inputs.h"
#include "bench/prediction.h"
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

// The shape the sequence phases share (forward, forward_backward, train_step): a (B, T)
// batch of tokens, and one timed unit of work per repetition.
class TimedPass : public PreparedPhase {
 public:
  TimedPass(const PhaseContext& c, const Point& p)
      : model_(c.model),
        precision_(c.precision),
        tokens_(point_tokens(p, p.axis(Axis::kSeq), c.config.widths.vocab, c.seed, c.device)) {}

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

struct PhaseHooks {
  // Timeline marks one repetition sets after its start (1, or G for generation).
  int64_t (*marks)(const Point& p);
  // Builds inputs and state; throws on failure (an OOM included).
  std::unique_ptr<PreparedPhase> (*prepare)(const PhaseContext& context, const Point& p);
  // Closed-form figures from the config and the point alone (bench/memory_model.h):
  // weights and gradients in the dtype's storage type, activations in its compute type.
  Prediction (*predict)(const models::ModelConfig& config, const Point& p);
};

// The hooks of the point's phase; throws std::logic_error for a phase known only by its
// declaration (registered from JSON, in a torch-free tool).
const PhaseHooks& phase_hooks(const std::string& phase);

// train_step's AdamW learning rate. It changes no figure the phase records (an update
// costs the same at any rate); LibTorch's AdamW defaults hold otherwise.
inline constexpr double kTrainLearningRate = 1e-3;

// Mean next-token cross-entropy of tokens (B, T) under the model, computed in fp32
// (logits upcast first), as HF transformers does. Shared by the training phases.
at::Tensor next_token_loss(models::Transformer& model, const at::Tensor& tokens);

}  // namespace shishu::bench
