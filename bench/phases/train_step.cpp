// Phase `train_step`: one training step, timed as a unit: forward, next-token loss,
// backward and an AdamW update (LibTorch's torch::optim::AdamW). Under amp_bf16 the
// forward runs under bf16 autocast and AdamW updates the fp32 master weights, as in the
// paper's mixed-precision training.
#include <ATen/ATen.h>
#include <torch/optim/adamw.h>

#include "bench/phase.h"
#include "bench/phase_predictions.h"

namespace shishu::bench {
namespace {

class TrainStep : public TimedPass {
 public:
  TrainStep(const PhaseContext& c, const Point& p)
      : TimedPass(c, p), optimizer_(model_->parameters(), torch::optim::AdamWOptions(kTrainLearningRate)) {}

  void run(Timeline& clock, PointResult* result) override {
    time(clock, result, [&] {
      optimizer_.zero_grad();  // set_to_none
      forward_backward();
      optimizer_.step();
    });
  }

 private:
  torch::optim::AdamW optimizer_;  // its moments are allocated at the first step (the warm-up)
};

const PhaseHooks kHooks{[](const Point&) -> int64_t { return 1; },
                        [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
                          return std::make_unique<TrainStep>(c, p);
                        },
                        predict_train_step};

[[maybe_unused]] const bool kRegistered =
    register_phase({"train_step",
                    {"train"},
                    "one training step: forward, next-token loss, backward and an AdamW update",
                    {{Axis::kBatch}, {Axis::kSeq, 2, "a next-token loss needs seq >= 2"}},
                    {Axis::kSeq},
                    /*takes_backend=*/false,
                    /*cold_cache=*/true,
                    /*mixed_precision=*/true,
                    /*changes_weights=*/true,
                    &kHooks});

}  // namespace
}  // namespace shishu::bench
