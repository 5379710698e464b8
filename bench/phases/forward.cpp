// Phase `forward`: one full-sequence causal forward, no cache, no gradients.
#include <ATen/ATen.h>

#include "bench/phase.h"
#include "bench/phase_predictions.h"
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

const PhaseHooks kHooks{[](const Point&) -> int64_t { return 1; },
                        [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
                          return std::make_unique<Forward>(c, p);
                        },
                        predict_forward};

[[maybe_unused]] const bool kRegistered = register_phase({"forward",
                                         {"fwd"},
                                         "one full-sequence causal forward (paper Table 6)",
                                         {{Axis::kBatch}, {Axis::kSeq}},
                                         {Axis::kSeq},
                                         /*takes_backend=*/false,
                                         /*cold_cache=*/true,
                                         /*mixed_precision=*/true,
                                         /*changes_weights=*/false,
                                         &kHooks});

}  // namespace
}  // namespace shishu::bench
