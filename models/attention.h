// Grouped-query self-attention without biases, through at::scaled_dot_product_attention.
// q, k and v come from one fused (H+2KV)*D projection of x.
#pragma once
#include <torch/nn/module.h>

#include <optional>
#include <torch/nn/pimpl.h>

#include "models/init.h"

namespace shishu::models {

// Where the tokens of one forward call sit relative to the KV cache. (Decoding with the
// position on the device, for CUDA graphs, is the decoder wing's: models/decode/.)
struct StepSpec {
  enum class Mode {
    kNoCache,        // full causal forward, nothing cached
    kHostPositions,  // tokens at [past, past+T), known on the host: cache slices are views
  };
  Mode mode = Mode::kNoCache;
  int64_t past = 0;     // kHostPositions: tokens already in the cache
  at::Tensor cos, sin;  // (T, D) rotary factors of the new tokens
};

class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(int64_t d_model, int64_t heads, int64_t kv_heads, int64_t head_dim, InitContext& init);
  // x: (B, T, d). key_cache / value_cache: this layer's (B, KV, capacity, D) cache,
  // undefined in kNoCache mode. Returns (B, T, d).
  at::Tensor forward(const at::Tensor& x, const StepSpec& step, at::Tensor key_cache, at::Tensor value_cache);

  at::Tensor qkv;  // ((H + 2*KV) * D, d)
  at::Tensor out;  // (d, H * D)
 private:
  int64_t heads_, kv_heads_, head_dim_;
};
TORCH_MODULE(Attention);

// One query token per sequence, q (B, H, 1, D), against cached keys and values
// (B, KV, S, D), with an optional boolean key mask broadcastable to (B, KV, H/KV, S).
// Returns (B, H, 1, D).
at::Tensor single_token_attention(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                                  const std::optional<at::Tensor>& mask);

// Boolean mask (T, past+T) for a block of T queries at [past, past+T) against every key
// up to its own position: true where key index <= past + query index.
at::Tensor block_causal_mask(int64_t new_tokens, int64_t past, c10::Device device);

}  // namespace shishu::models
