#include "models/attention.h"

#include <ATen/ATen.h>

#include "models/rope.h"

namespace shishu::models {


AttentionImpl::AttentionImpl(int64_t d_model, int64_t heads, int64_t kv_heads, int64_t head_dim,
                             InitContext& init)
    : heads_(heads), kv_heads_(kv_heads), head_dim_(head_dim) {
  qkv = register_parameter("qkv", init.normal({(heads + 2 * kv_heads) * head_dim, d_model}));
  out = register_parameter("out", init.normal({d_model, heads * head_dim}));
}

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

at::Tensor AttentionImpl::forward(const at::Tensor& x, const StepSpec& step, at::Tensor key_cache,
                                  at::Tensor value_cache) {
  const int64_t batch = x.size(0), tokens = x.size(1);
  const int64_t q_width = heads_ * head_dim_, kv_width = kv_heads_ * head_dim_;
  at::Tensor proj = at::linear(x, qkv);  // (B, T, (H + 2KV) * D)
  auto split = [&](int64_t offset, int64_t width, int64_t n_heads) {
    return proj.narrow(-1, offset, width).view({batch, tokens, n_heads, head_dim_}).transpose(1, 2);
  };
  at::Tensor q = apply_rotary(split(0, q_width, heads_), step.cos, step.sin);                // (B, H, T, D)
  at::Tensor k = apply_rotary(split(q_width, kv_width, kv_heads_), step.cos, step.sin);      // (B, KV, T, D)
  at::Tensor v = split(q_width + kv_width, kv_width, kv_heads_);                              // (B, KV, T, D)

  at::Tensor o;  // (B, H, T, D)
  using Mode = StepSpec::Mode;
  if (step.mode == Mode::kNoCache) {
    o = at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true, {}, /*enable_gqa=*/true);
  } else {
    key_cache.narrow(2, step.past, tokens).copy_(k);
    value_cache.narrow(2, step.past, tokens).copy_(v);
    if (step.past == 0) {
      // A prompt into an empty cache attends only to itself: plain causal attention
      // over the fresh k/v, which keeps the flash kernels eligible.
      o = at::scaled_dot_product_attention(q, k, v, {}, 0.0, true, {}, true);
    } else {
      at::Tensor keys = key_cache.narrow(2, 0, step.past + tokens);
      at::Tensor values = value_cache.narrow(2, 0, step.past + tokens);
      if (tokens == 1) {
        o = single_token_attention(q, keys, values, std::nullopt);
      } else {
        // is_causal would align the mask top-left (query i sees keys <= i), which is
        // wrong for a block that starts after `past` cached tokens.
        at::Tensor mask = block_causal_mask(tokens, step.past, x.device());
        o = at::scaled_dot_product_attention(q, keys, values, mask, 0.0, false, {}, true);
      }
    }
  }
  return at::linear(o.transpose(1, 2).reshape({batch, tokens, q_width}), out);  // (B, T, d)
}

}  // namespace shishu::models
