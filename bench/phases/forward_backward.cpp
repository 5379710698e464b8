// Phase `forward_backward`: forward, next-token cross-entropy, and backward, timed as
// one unit; no optimizer step (that is `train_step`).
#include <ATen/ATen.h>

#include "bench/memory_model.h"
#include "bench/phase.h"
#include "models/analytic.h"

namespace shishu::bench {
namespace {

class ForwardBackward : public TimedPass {
 public:
  using TimedPass::TimedPass;

  void run(Timeline& clock, PointResult* result) override {
    // set_to_none, as zero_grad does, outside the timed region: freeing the previous
    // repetition's gradients is not this repetition's work.
    for (auto& param : model_->parameters()) param.mutable_grad() = at::Tensor();
    time(clock, result, [&] { forward_backward(); });
  }
};

Prediction predict(const models::ModelConfig& c, const Point& p) {
  const int64_t batch = p.batch(), seq = p.axis(Axis::kSeq);
  Prediction r;
  r.weight_bytes = resident_weight_bytes(c, p.dtype);
  r.logits_bytes = training_logits_bytes(c, p, p.dtype);
  r.grad_bytes = static_cast<double>(models::weight_bytes(c, models::element_bytes(p.dtype.storage)));  // storage type
  r.activation_bytes = activation_bytes(c, double(batch) * double(seq), p.dtype);
  r.transient_bytes = backward_transient_bytes(c, p.dtype);
  r.total_bytes = training_peak_bytes(r);
  // Backward ~ 2x forward: gradients with respect to activations and to weights.
  r.flops = 3 * models::forward_flops(c, batch, seq, 0, seq);
  // The weights read by the forward and again for the input gradients, the gradients written.
  r.bytes = sequence_pass_bytes(c, p, 2) + r.grad_bytes;
  r.tokens = double(batch) * double(seq);
  return r;
}

const PhaseHooks kHooks{[](const Point&) -> int64_t { return 1; },
                        [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
                          return std::make_unique<ForwardBackward>(c, p);
                        },
                        predict};

[[maybe_unused]] const bool kRegistered =
    register_phase({"forward_backward",
                    {"fwd_bwd", "forward+backward"},
                    "forward, next-token loss and backward, timed as one unit (paper Table 7)",
                    {{Axis::kBatch}, {Axis::kSeq, 2, "a next-token loss needs seq >= 2"}},
                    {Axis::kSeq},
                    /*takes_backend=*/false,
                    /*cold_cache=*/true,
                    /*mixed_precision=*/true,
                    /*changes_weights=*/false,
                    &kHooks});

}  // namespace
}  // namespace shishu::bench
