// Phase `train_step`: one training step, timed as a unit: forward, next-token loss,
// backward and an AdamW update (LibTorch's torch::optim::AdamW). Under amp_bf16 the
// forward runs under bf16 autocast and AdamW updates the fp32 master weights, as in the
// paper's mixed-precision training.
#include <ATen/ATen.h>
#include <torch/optim/adamw.h>

#include "bench/memory_model.h"
#include "bench/phase.h"
#include "models/analytic.h"

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

Prediction predict(const models::ModelConfig& c, const Point& p) {
  Prediction r;
  const double tokens = double(p.batch()) * double(p.axis(Axis::kSeq));
  r.weight_bytes = resident_weight_bytes(c, p.dtype);
  r.grad_bytes = static_cast<double>(models::weight_bytes(c, models::element_bytes(p.dtype.storage)));
  r.optimizer_bytes = 2 * r.grad_bytes;  // exp_avg and exp_avg_sq, in the weights' storage type
  r.logits_bytes = training_logits_bytes(c, p, p.dtype);
  r.activation_bytes = activation_bytes(c, tokens, p.dtype);
  // AdamW's per-parameter temporaries come after backward, one parameter at a time: smaller.
  r.transient_bytes = backward_transient_bytes(c, p.dtype);
  r.total_bytes = training_peak_bytes(r);
  const int64_t seq = p.axis(Axis::kSeq);
  r.flops = 3 * models::forward_flops(c, p.batch(), seq, 0, seq);  // the update's elementwise work is not counted
  // forward_backward's bytes, then AdamW: the gradients read, the weights and both moments
  // read and written (grad_bytes is one copy of the weights in their storage type).
  r.bytes = sequence_pass_bytes(c, p, 2) + r.grad_bytes + 7 * r.grad_bytes;
  r.tokens = tokens;
  return r;
}

const PhaseHooks kHooks{[](const Point&) -> int64_t { return 1; },
                        [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
                          return std::make_unique<TrainStep>(c, p);
                        },
                        predict};

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
