#include "models/attention.h"

#include <ATen/ATen.h>

namespace shishu::models {

AttentionImpl::AttentionImpl(int64_t d_model, int64_t heads, int64_t kv_heads, int64_t head_dim,
                             InitContext& init)
    : heads_(heads), kv_heads_(kv_heads), head_dim_(head_dim) {
  qkv = register_parameter("qkv", init.normal({(heads + 2 * kv_heads) * head_dim, d_model}));
  out = register_parameter("out", init.normal({d_model, heads * head_dim}));
}

at::Tensor AttentionImpl::forward(const at::Tensor& x, TokenPositions& positions, int layer) {
  const int64_t batch = x.size(0), tokens = x.size(1);
  const int64_t qk_heads = heads_ + kv_heads_;
  at::Tensor proj = at::linear(x, qkv);  // (B, T, (H + 2KV) * D)
  // q and k are rotated as one block: the same arithmetic per element as apart, in
  // half the operators.
  at::Tensor qk = positions.rotate(proj.narrow(-1, 0, qk_heads * head_dim_).view({batch, tokens, qk_heads, head_dim_}));
  at::Tensor q = qk.narrow(2, 0, heads_).transpose(1, 2);         // (B, H, T, D)
  at::Tensor k = qk.narrow(2, heads_, kv_heads_).transpose(1, 2);  // (B, KV, T, D)
  at::Tensor v = proj.narrow(-1, qk_heads * head_dim_, kv_heads_ * head_dim_)
                     .view({batch, tokens, kv_heads_, head_dim_})
                     .transpose(1, 2);  // (B, KV, T, D)
  at::Tensor o = positions.attend(layer, q, k, v);  // (B, H, T, D)
  return at::linear(o.transpose(1, 2).reshape({batch, tokens, heads_ * head_dim_}), out);  // (B, T, d)
}

}  // namespace shishu::models
