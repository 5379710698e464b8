#include "models/generate.h"

#include <ATen/ATen.h>

#include "profiles/range.h"

namespace shishu::models {

void prefill_first_token(Transformer& model, const at::Tensor& prompt, KvCache& cache, at::Tensor first) {
  profiles::ScopedRange range(profiles::kPrefillRange);
  const at::Tensor logits = model->forward_cached(prompt, cache, 0, 1);  // (B, 1, V)
  at::argmax_out(first, logits.view({prompt.size(0), -1}), -1);
}

at::Tensor generate_greedy(Transformer& model, const at::Tensor& prompt, int64_t new_tokens, KvCache& cache,
                           TokenObserver* observer) {
  const int64_t batch = prompt.size(0), prompt_len = prompt.size(1);
  TORCH_CHECK(new_tokens >= 1, "new_tokens must be >= 1");
  TORCH_CHECK(cache.capacity >= prompt_len + new_tokens, "KV cache capacity ", cache.capacity, " < ",
              prompt_len + new_tokens);
  at::Tensor generated = at::empty({new_tokens, batch}, prompt.options().dtype(at::kLong));  // (G, B)
  const int64_t vocab = model->config().widths.vocab;

  if (observer) observer->on_start();
  prefill_first_token(model, prompt, cache, generated.select(0, 0));
  if (observer) observer->on_token(0);

  for (int64_t i = 1; i < new_tokens; ++i) {
    profiles::ScopedRange range(profiles::kDecodeStepRange);
    at::Tensor previous = generated.select(0, i - 1).view({batch, 1});  // (B, 1), a view
    at::Tensor logits = model->forward_cached(previous, cache, prompt_len + i - 1, 1);
    at::Tensor row = generated.select(0, i);
    at::argmax_out(row, logits.view({batch, vocab}), -1);
    if (observer) observer->on_token(i);
  }
  return generated;
}

}  // namespace shishu::models
