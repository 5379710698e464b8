#include "models/generate.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "profiles/range.h"

namespace shishu::models {

namespace {

// Greedy decode steps over rows [1, R) of `generated` (R, B) int64: row i - 1's tokens are
// fed at position `position` + i - 1, and their argmax fills row i, on the device, with no
// host synchronisation. After each step `observer` hears of token i - 1 + `first_mark`.
void greedy_steps(Transformer& model, at::Tensor& generated, int64_t position, KvCache& cache,
                  TokenObserver* observer, int64_t first_mark) {
  const int64_t batch = generated.size(1), vocab = model->config().widths.vocab;
  for (int64_t i = 1; i < generated.size(0); ++i) {
    profiles::ScopedRange range(profiles::kDecodeStepRange);
    const at::Tensor previous = generated.select(0, i - 1).view({batch, 1});  // (B, 1), a view
    const at::Tensor logits = model->forward_cached(previous, cache, position + i - 1, 1);
    at::Tensor row = generated.select(0, i);
    at::argmax_out(row, logits.view({batch, vocab}), -1);
    if (observer) observer->on_token(i - 1 + first_mark);
  }
}

}  // namespace

void prefill_first_token(Transformer& model, const at::Tensor& prompt, KvCache& cache, at::Tensor first,
                         int64_t chunk) {
  profiles::ScopedRange range(profiles::kPrefillRange);
  const int64_t batch = prompt.size(0), length = prompt.size(1);
  const int64_t step = chunk > 0 ? std::min(chunk, length) : length;
  for (int64_t start = 0; start < length; start += step) {
    const int64_t n = std::min(step, length - start);
    const bool last = start + n == length;
    // Only the last chunk's last position has logits anyone reads.
    const at::Tensor logits = model->forward_cached(prompt.narrow(1, start, n), cache, start, last ? 1 : 0);
    if (last) at::argmax_out(first, logits.view({batch, -1}), -1);
  }
}

at::Tensor generate_greedy(Transformer& model, const at::Tensor& prompt, int64_t new_tokens, KvCache& cache,
                           TokenObserver* observer, int64_t prefill_chunk) {
  const int64_t batch = prompt.size(0), prompt_len = prompt.size(1);
  TORCH_CHECK(new_tokens >= 1, "new_tokens must be >= 1");
  TORCH_CHECK(cache.capacity >= prompt_len + new_tokens, "KV cache capacity ", cache.capacity, " < ",
              prompt_len + new_tokens);
  at::Tensor generated = at::empty({new_tokens, batch}, prompt.options().dtype(at::kLong));  // (G, B)

  if (observer) observer->on_start();
  prefill_first_token(model, prompt, cache, generated.select(0, 0), prefill_chunk);
  if (observer) observer->on_token(0);
  greedy_steps(model, generated, prompt_len, cache, observer, 1);
  return generated;
}

at::Tensor decode_greedy(Transformer& model, const at::Tensor& first, int64_t past, int64_t steps, KvCache& cache,
                         TokenObserver* observer) {
  TORCH_CHECK(steps >= 1 && cache.capacity >= past + steps, "KV cache capacity ", cache.capacity, " < ", past + steps);
  at::Tensor generated = at::empty({steps + 1, first.size(0)}, first.options());  // (1 + G, B): the fed token first
  generated.select(0, 0).copy_(first);
  if (observer) observer->on_start();
  greedy_steps(model, generated, past, cache, observer, 0);
  return generated.narrow(0, 1, steps);
}

at::Tensor fill_to_depth(Transformer& model, const at::Tensor& seed, KvCache& cache, int64_t depth) {
  const int64_t length = seed.size(1);
  TORCH_CHECK(length >= 1 && length <= depth && depth <= cache.capacity, "a seed of ", length,
              " tokens cannot fill a cache of capacity ", cache.capacity, " to depth ", depth);
  at::Tensor first = at::empty({seed.size(0)}, seed.options());
  prefill_first_token(model, seed, cache, first);
  for (int layer = 0; layer < cache.attention_layers(); ++layer) {
    for (at::Tensor* t : {&cache.keys[layer], &cache.values[layer]}) {  // (B, KV, capacity, D)
      for (int64_t at = length; at < depth; at += length) {
        const int64_t n = std::min(length, depth - at);
        t->narrow(2, at, n).copy_(t->narrow(2, 0, n));
      }
    }
  }
  return first;
}

}  // namespace shishu::models
