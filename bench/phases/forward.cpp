// Phase `forward`: one full-sequence causal forward, no cache, no gradients.
#include <ATen/ATen.h>

#include "bench/phase.h"
#include "models/analytic.h"
#include "profiles/range.h"

namespace shishu::bench {
namespace {

class Forward : public TimedPass {
 public:
  using TimedPass::TimedPass;

  void run(Timeline& clock, PointResult* result) override {
    at::NoGradGuard no_grad;
    time(clock, result, [&] {
      models::AutocastScope autocast(tokens_.device().type(), precision_);
      profiles::ScopedRange range(profiles::kForwardRange);
      at::Tensor logits = model_->forward(tokens_);  // (B, T, V)
    });
  }
};

Prediction predict(const models::ModelConfig& c, const Point& p, const models::Precision& precision) {
  Prediction r;
  r.weight_bytes = resident_weight_bytes(c, precision);
  r.logits_bytes = double(p.batch) * double(p.seq) * c.widths.vocab * models::dtype_bytes(precision.compute);
  r.flops = models::forward_flops(c, p.batch, p.seq, 0, p.seq);
  r.tokens = double(p.batch) * double(p.seq);
  return r;
}

}  // namespace

PhaseSpec forward_phase() {
  return {Phase::kForward, [](const Point&) -> int64_t { return 1; },
          [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
            return std::make_unique<Forward>(c, p);
          },
          predict, nullptr, /*mixed_precision=*/true};
}

}  // namespace shishu::bench
