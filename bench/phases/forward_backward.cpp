// Phase `forward_backward`: forward, next-token cross-entropy, and backward, timed as
// one unit; no optimizer step (that is `train_step`).
#include <ATen/ATen.h>

#include "bench/phase.h"
#include "models/analytic.h"
#include "profiles/range.h"

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

Prediction predict(const models::ModelConfig& c, const Point& p, const models::Precision& precision) {
  Prediction r;
  r.weight_bytes = resident_weight_bytes(c, precision);
  r.logits_bytes = training_logits_bytes(c, p, precision);
  r.grad_bytes = static_cast<double>(models::weight_bytes(c, models::dtype_bytes(precision.storage)));  // storage type
  r.activation_bytes = activation_bytes(c, double(p.batch) * double(p.seq), precision);
  r.transient_bytes = backward_transient_bytes(c, precision);
  r.total_bytes = training_peak_bytes(r);
  // Backward ~ 2x forward: gradients with respect to activations and to weights.
  r.flops = 3 * models::forward_flops(c, p.batch, p.seq, 0, p.seq);
  r.tokens = double(p.batch) * double(p.seq);
  return r;
}

}  // namespace

void TimedPass::forward_backward() {
  at::Tensor loss;
  {
    // Autocast covers the forward only; backward runs each op in its forward's type.
    models::AutocastScope autocast(tokens_.device().type(), precision_);
    profiles::ScopedRange range(profiles::kForwardRange);
    loss = next_token_loss(model_, tokens_);
  }
  profiles::ScopedRange range(profiles::kBackwardRange);
  loss.backward();
}

at::Tensor next_token_loss(models::Transformer& model, const at::Tensor& tokens) {
  const int64_t T = tokens.size(1), vocab = model->config().widths.vocab;
  at::Tensor logits = model->forward(tokens);  // (B, T, V)
  // In fp32 as HF transformers computes it: logits upcast before cross-entropy.
  return at::cross_entropy_loss(logits.narrow(1, 0, T - 1).reshape({-1, vocab}).to(at::kFloat),
                                tokens.narrow(1, 1, T - 1).reshape({-1}));
}

PhaseSpec forward_backward_phase() {
  return {Phase::kForwardBackward, [](const Point&) -> int64_t { return 1; },
          [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
            return std::make_unique<ForwardBackward>(c, p);
          },
          predict, nullptr, /*mixed_precision=*/true};
}

}  // namespace shishu::bench
