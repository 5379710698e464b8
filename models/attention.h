// Grouped-query self-attention without biases. q, k and v come from one fused
// (H+2KV)*D projection of x; q and k are rotated together, then the seam
// (models/positions.h) writes k and v to the cache and attends.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "models/init.h"
#include "models/positions.h"

namespace shishu::models {

class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(int64_t d_model, int64_t heads, int64_t kv_heads, int64_t head_dim, InitContext& init);
  // x: (B, T, d) -> (B, T, d). `layer`: this attention layer's index, which names its
  // cache to `positions`.
  at::Tensor forward(const at::Tensor& x, TokenPositions& positions, int layer);

  at::Tensor qkv;  // ((H + 2*KV) * D, d)
  at::Tensor out;  // (d, H * D)
 private:
  int64_t heads_, kv_heads_, head_dim_;
};
TORCH_MODULE(Attention);

}  // namespace shishu::models
