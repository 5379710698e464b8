// Greedy generation with the KV cache: prefill the prompt, then one token per decode
// step. Tokens are chosen with argmax on the device and written straight into a
// preallocated (G, B) buffer, so the loop neither synchronises with the host nor
// allocates anything per token beyond the model's own intermediates. EOS is never
// checked: every run generates exactly G tokens, as in the paper's measurements.
#pragma once
#include <ATen/core/Tensor.h>

#include "models/transformer.h"

namespace shishu::models {

// Told when each generated token has been enqueued (index 0 is the prefill's token).
// Implementations must not synchronise: a timer records a CUDA event or, on the CPU,
// whose ops run synchronously, reads a clock.
class TokenObserver {
 public:
  virtual ~TokenObserver() = default;
  virtual void on_start() = 0;
  virtual void on_token(int64_t index) = 0;
};

// The prefill every decoder shares (this loop and the backends of models/decode/):
// `prompt` (B, P) into an empty `cache`, the logits of the last position only, and
// their argmax into `first` (B) int64. `chunk` > 0: the prompt goes in as blocks of at
// most `chunk` tokens, each attending to the cache the ones before it wrote, so the
// activations held at once are bounded by the chunk, not the prompt; the tokens are an
// unchunked prefill's. 0: in one piece.
void prefill_first_token(Transformer& model, const at::Tensor& prompt, KvCache& cache, at::Tensor first,
                         int64_t chunk = 0);

// prompt (B, P) int64; cache capacity >= P + G. Returns (G, B) int64 generated tokens.
at::Tensor generate_greedy(Transformer& model, const at::Tensor& prompt, int64_t new_tokens, KvCache& cache,
                           TokenObserver* observer = nullptr, int64_t prefill_chunk = 0);

// A cache at depth D without a D-token prefill: `seed` (B, S), S <= D, is prefilled, and
// its keys and values are repeated along the positions up to D. A decode step's cost
// depends on the cache's length and dtype, never on what it holds, and these values are
// the model's own, of its dtype and scale. Returns the seed's next token (B) int64.
at::Tensor fill_to_depth(Transformer& model, const at::Tensor& seed, KvCache& cache, int64_t depth);

// G greedy decode steps from a cache holding positions [0, past): feeds `first` (B) at
// `past`, and writes each step's token into row i of the (G, B) int64 result. Marks
// `observer` at the start and after each step.
at::Tensor decode_greedy(Transformer& model, const at::Tensor& first, int64_t past, int64_t steps, KvCache& cache,
                         TokenObserver* observer = nullptr);

}  // namespace shishu::models
