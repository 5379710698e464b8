#include "bench/phase.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "profiles/range.h"

namespace shishu::bench {

const PhaseHooks& phase_hooks(const std::string& phase) {
  const PhaseRow& row = phase_row(phase);
  if (!row.hooks) throw std::logic_error("phase '" + row.name + "' is declared, but this program cannot run it");
  return *row.hooks;
}

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

}  // namespace shishu::bench
