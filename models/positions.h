// Where the tokens of one forward call sit, and how attention reaches its cache: the one
// seam of the reference walk (transformer.h), as gpt-fast's forward takes `input_pos`.
// The reference has two: no cache (a full causal forward) and positions known on the
// host (a prompt, and the eager decode loop). The decoder wing (models/decode/) adds
// positions held on the device, which a CUDA graph can replay; everything else it runs
// is this same walk.
#pragma once
#include <ATen/core/Tensor.h>

#include <optional>

#include "models/kv_cache.h"
#include "models/rope.h"

namespace shishu::models {

class TokenPositions {
 public:
  virtual ~TokenPositions() = default;
  // The q and k heads of the new tokens, qk (B, T, H + KV, D), each rotated to its
  // token's position. Returns the same shape.
  virtual at::Tensor rotate(const at::Tensor& qk) = 0;
  // Attention of the new tokens' q (B, H, T, D) in attention layer `layer`: their own
  // k and v (B, KV, T, D) are written to the cache first, where there is one, and q
  // attends causally to every key up to its own position. Returns (B, H, T, D).
  virtual at::Tensor attend(int layer, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) = 0;
};

// The rotary rows of new tokens whose positions the host knows: both reference seams.
class HostRotary : public TokenPositions {
 public:
  HostRotary(const at::Tensor& cos, const at::Tensor& sin)  // (T, D) each
      : cos_(cos.unsqueeze(1)), sin_(sin.unsqueeze(1)) {}
  at::Tensor rotate(const at::Tensor& qk) override { return apply_rotary(qk, cos_, sin_); }

 private:
  at::Tensor cos_, sin_;  // (T, 1, D): one row per token, broadcast over heads
};

// A full causal forward over T tokens at positions [0, T): nothing cached.
class NoCache : public HostRotary {
 public:
  using HostRotary::HostRotary;
  at::Tensor attend(int layer, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) override;
};

// T tokens at [past, past + T), known on the host: the cache's slices are views, and
// each layer attends over the `past + T` keys that exist.
class HostPositions : public HostRotary {
 public:
  HostPositions(KvCache& cache, int64_t past, const at::Tensor& cos, const at::Tensor& sin)  // cos, sin: (T, D)
      : HostRotary(cos, sin), cache_(cache), past_(past) {}
  at::Tensor attend(int layer, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) override;

 private:
  KvCache& cache_;
  int64_t past_;
};

// One query token per sequence, q (B, H, 1, D), against cached keys and values
// (B, KV, S, D), with an optional boolean key mask broadcastable to (B, KV, H/KV, S).
// Returns (B, H, 1, D).
at::Tensor single_token_attention(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                                  const std::optional<at::Tensor>& mask);

// Boolean mask (T, past+T) for a block of T queries at [past, past+T) against every key
// up to its own position: true where key index <= past + query index.
at::Tensor block_causal_mask(int64_t new_tokens, int64_t past, c10::Device device);

}  // namespace shishu::models
