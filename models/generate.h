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
// their argmax into `first` (B) int64.
void prefill_first_token(Transformer& model, const at::Tensor& prompt, KvCache& cache, at::Tensor first);

// prompt (B, P) int64; cache capacity >= P + G. Returns (G, B) int64 generated tokens.
at::Tensor generate_greedy(Transformer& model, const at::Tensor& prompt, int64_t new_tokens, KvCache& cache,
                           TokenObserver* observer = nullptr);

}  // namespace shishu::models
