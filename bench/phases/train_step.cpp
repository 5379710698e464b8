// Phase `train_step`: one training step, timed as a unit: forward, next-token loss,
// backward and an AdamW update (LibTorch's torch::optim::AdamW). Under amp_bf16 the
// forward runs under bf16 autocast and AdamW updates the fp32 master weights, as in the
// paper's mixed-precision training.
#include <ATen/ATen.h>
#include <torch/optim/adamw.h>

#include "bench/phase.h"
#include "models/analytic.h"
#include "profiles/range.h"

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

Prediction predict(const models::ModelConfig& c, const Point& p, const models::Precision& precision) {
  const int storage = models::dtype_bytes(precision.storage);
  Prediction r;
  const double tokens = double(p.batch) * double(p.seq);
  r.weight_bytes = resident_weight_bytes(c, precision);
  r.grad_bytes = static_cast<double>(models::weight_bytes(c, storage));
  r.optimizer_bytes = 2 * r.grad_bytes;  // exp_avg and exp_avg_sq, in the weights' storage type
  r.logits_bytes = training_logits_bytes(c, p, precision);
  r.activation_bytes = activation_bytes(c, tokens, precision);
  // AdamW's per-parameter temporaries come after backward, one parameter at a time: smaller.
  r.transient_bytes = backward_transient_bytes(c, precision);
  r.total_bytes = training_peak_bytes(r);
  r.flops = 3 * models::forward_flops(c, p.batch, p.seq, 0, p.seq);  // the update's elementwise work is not counted
  r.tokens = tokens;
  return r;
}

}  // namespace

PhaseSpec train_step_phase() {
  PhaseSpec spec{Phase::kTrainStep, [](const Point&) -> int64_t { return 1; },
                 [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
                   return std::make_unique<TrainStep>(c, p);
                 },
                 predict, nullptr};
  spec.mixed_precision = true;
  spec.changes_weights = true;
  return spec;
}

}  // namespace shishu::bench
