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
#include "models/model_config.h"
#include "models/transformer.h"

namespace shishu::bench {

// What a phase works on: the live model, built for the point's model, dtype and device.
struct PhaseContext {
  models::Transformer model;
  const models::ModelConfig& config;
  c10::Device device;
  c10::ScalarType dtype;
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

// Closed-form figures from the config and the point alone.
struct Prediction {
  double weight_bytes = 0, kv_cache_bytes = 0, logits_bytes = 0, grad_bytes = 0;
  double flops = 0;   // matmul FLOPs of one repetition
  double tokens = 0;  // tokens one repetition processes, for tokens/s
};

struct PhaseSpec {
  Phase phase;
  // Timeline marks one repetition sets after its start (1, or G for generation).
  int64_t (*marks)(const Point& p);
  // Builds inputs and state; throws on failure (an OOM included).
  std::unique_ptr<PreparedPhase> (*prepare)(const PhaseContext& context, const Point& p);
  Prediction (*predict)(const models::ModelConfig& config, const Point& p, int dtype_bytes);
  // Figures only this phase has, from its samples (decode bandwidth); may be null.
  void (*derive)(const models::ModelConfig& config, const Point& p, int dtype_bytes, const DeviceInfo& device,
                 PointResult& result);
};

const PhaseSpec& phase_spec(Phase phase);

// Input tokens (B, len) int64 on `device`: a pure function of the seed and the point, so
// a point re-run alone (--benchmark_filter, --resume) sees the same inputs.
at::Tensor point_tokens(const Point& p, int64_t len, int64_t vocab, uint64_t seed, c10::Device device);

// Mean next-token cross-entropy of tokens (B, T) under the model, computed in fp32
// (logits upcast first), as HF transformers does. Shared by the training phases.
at::Tensor next_token_loss(models::Transformer& model, const at::Tensor& tokens);

}  // namespace shishu::bench
