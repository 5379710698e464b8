// Phase `forward_backward`: forward, next-token cross-entropy, and backward, timed as
// one unit; no optimizer step (that is `train_step`).
#include <ATen/ATen.h>

#include "bench/phase.h"
#include "bench/phase_predictions.h"

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

const PhaseHooks kHooks{[](const Point&) -> int64_t { return 1; },
                        [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
                          return std::make_unique<ForwardBackward>(c, p);
                        },
                        predict_forward_backward};

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
