// The MobileLLM / ShishuLM decoder-only transformer (gpt-fast style: the whole model
// in one place). Token embedding shared with the output projection, then
//   full layers:      y = x + Attn(Norm(x));  out = y + MLP(Norm(y))
//   MLP-only layers:  out = x + MLP(Norm(x))     (tied layers reuse one MlpBlock)
// then a final RMSNorm and logits = h @ embedding^T.
#pragma once
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <vector>

#include "models/attention.h"
#include "models/kv_cache.h"
#include "models/mlp.h"
#include "models/model_config.h"
#include "models/positions.h"
#include "models/rmsnorm.h"
#include "models/rope.h"

namespace shishu::models {

// device may be the meta device: shapes without storage, for counting parameters.
struct BuildOptions {
  c10::ScalarType dtype = c10::ScalarType::Float;
  c10::Device device = c10::Device(c10::DeviceType::CPU);
  uint64_t seed = 0;
  // Std of the normal init (HF-Llama's initializer_range). Larger values give random
  // models whose greedy tokens vary, which parity tests need (at 0.02 they repeat).
  double init_std = 0.02;
};

class DecoderLayerImpl : public torch::nn::Module {
 public:
  DecoderLayerImpl(const ModelConfig& c, InitContext& init);
  // x (B, T, d) -> (B, T, d); `layer`: this layer's index among the attention layers.
  at::Tensor forward(const at::Tensor& x, TokenPositions& positions, int layer);

  RMSNorm attn_norm{nullptr};
  Attention attn{nullptr};
  MlpBlock mlp{nullptr};  // norm + MLP with residual
};
TORCH_MODULE(DecoderLayer);

class TransformerImpl : public torch::nn::Module {
 public:
  TransformerImpl(ModelConfig config, BuildOptions options);

  // Full causal forward without a cache. tokens (B, T) int64 -> logits (B, T, V).
  at::Tensor forward(const at::Tensor& tokens);

  // Runs tokens (B, T) at positions [past, past+T), writing their K/V into `cache` and
  // attending to everything cached before them. Returns logits (B, L, V) of the last
  // L = logit_positions tokens: generation needs only the last one, which spares a
  // (B, T, V) tensor at prefill (33 GB in bf16 at B=256, T=2048). L = 0: none, and an
  // undefined tensor back (a prompt's chunks before its last).
  at::Tensor forward_cached(const at::Tensor& tokens, KvCache& cache, int64_t past, int64_t logit_positions = 1);

  // The one walk both of the above take, and the decoder wing's steps too: tokens (B, T)
  // where `positions` says they sit, logits (B, L, V) of the last L = logit_positions.
  at::Tensor forward(const at::Tensor& tokens, TokenPositions& positions, int64_t logit_positions);

  KvCache make_cache(int64_t batch, int64_t capacity);

  // Parameters counted by distinct storage, so a tied set counts once.
  int64_t unique_parameter_count() const;
  const ModelConfig& config() const { return config_; }
  const BuildOptions& options() const { return options_; }
  c10::TensorOptions tensor_options() const;

  at::Tensor embedding;  // (V, d), also the output projection
  std::vector<DecoderLayer> layers;
  std::vector<MlpBlock> mlp_sets;  // distinct MLP-only parameter sets
  RMSNorm final_norm{nullptr};

 private:
  ModelConfig config_;
  BuildOptions options_;
  std::vector<int> mlp_schedule_;  // MLP-only layer -> index into mlp_sets
  RotaryTable rotary_;
};
TORCH_MODULE(Transformer);

}  // namespace shishu::models
