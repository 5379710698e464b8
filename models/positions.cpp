#include "models/positions.h"

#include <ATen/ATen.h>

namespace shishu::models {

at::Tensor block_causal_mask(int64_t new_tokens, int64_t past, c10::Device device) {
  auto opts = at::TensorOptions().dtype(at::kLong).device(device);
  at::Tensor query_pos = at::arange(past, past + new_tokens, opts).unsqueeze(1);  // (T, 1)
  at::Tensor key_pos = at::arange(past + new_tokens, opts).unsqueeze(0);          // (1, S)
  return key_pos <= query_pos;                                                    // (T, S)
}

// One query token per sequence against a cache: fold the query heads that share a KV
// head into the query-length axis, (B, H, 1, D) -> (B, KV, H/KV, D). All of them sit
// at the same position, so one key mask serves every row and K/V are read once,
// never expanded to H heads.
at::Tensor single_token_attention(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                                  const std::optional<at::Tensor>& mask) {
  const int64_t batch = q.size(0), heads = q.size(1), dim = q.size(3), kv_heads = keys.size(1);
  at::Tensor grouped = q.reshape({batch, kv_heads, heads / kv_heads, dim});
  at::Tensor o = at::scaled_dot_product_attention(grouped, keys, values, mask);  // (B, KV, H/KV, D)
  return o.reshape({batch, heads, 1, dim});
}

namespace {

// Plain causal attention over the new tokens alone; enable_gqa lets SDPA read each KV
// head once for its group of query heads, and keeps the flash kernels eligible.
at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  return at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true, {}, /*enable_gqa=*/true);
}

}  // namespace

at::Tensor NoCache::attend(int, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  return causal_attention(q, k, v);
}

at::Tensor HostPositions::attend(int layer, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  const int64_t tokens = q.size(2);
  cache_.keys[layer].narrow(2, past_, tokens).copy_(k);
  cache_.values[layer].narrow(2, past_, tokens).copy_(v);
  // A prompt into an empty cache attends only to itself.
  if (past_ == 0) return causal_attention(q, k, v);
  const at::Tensor keys = cache_.keys[layer].narrow(2, 0, past_ + tokens);      // (B, KV, S, D)
  const at::Tensor values = cache_.values[layer].narrow(2, 0, past_ + tokens);  // (B, KV, S, D)
  if (tokens == 1) return single_token_attention(q, keys, values, std::nullopt);
  // is_causal would align the mask top-left (query i sees keys <= i), which is wrong for
  // a block that starts after `past` cached tokens.
  const at::Tensor mask = block_causal_mask(tokens, past_, q.device());
  return at::scaled_dot_product_attention(q, keys, values, mask, 0.0, false, {}, true);
}

}  // namespace shishu::models
