#include "models/transformer.h"

#include <ATen/ATen.h>

#include <unordered_set>

#include "profiles/range.h"

namespace shishu::models {

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& c, InitContext& init) {
  const auto& w = c.widths;
  attn_norm = register_module("attn_norm", RMSNorm(w.d_model, c.norm_eps, init));
  attn = register_module("attn", Attention(w.d_model, w.n_heads, w.n_kv_heads, w.head_dim, init));
  mlp = register_module("mlp", MlpBlock(w.d_model, w.ffn_hidden, c.norm_eps, init));
}

at::Tensor DecoderLayerImpl::forward(const at::Tensor& x, TokenPositions& positions, int layer) {
  at::Tensor y = x + attn->forward(attn_norm(x), positions, layer);
  return mlp(y);
}

TransformerImpl::TransformerImpl(ModelConfig config, BuildOptions options)
    : config_(std::move(config)),
      options_(options),
      mlp_schedule_(config_.layout.mlp_schedule()),
      rotary_(config_.widths.head_dim, config_.rope_theta, tensor_options()) {
  validate(config_);
  InitContext init = make_init_context(options_.seed, tensor_options(), options_.init_std);
  const auto& w = config_.widths;
  // Creation order fixes the order of random draws, hence the weights for a seed.
  embedding = register_parameter("embedding", init.normal({w.vocab, w.d_model}));
  for (int i = 0; i < config_.layout.full_layers; ++i) {
    layers.push_back(register_module("layer_" + std::to_string(i), DecoderLayer(config_, init)));
  }
  for (int i = 0; i < config_.layout.mlp_param_sets(); ++i) {
    mlp_sets.push_back(
        register_module("mlp_set_" + std::to_string(i), MlpBlock(w.d_model, w.ffn_hidden, config_.norm_eps, init)));
  }
  final_norm = register_module("final_norm", RMSNorm(w.d_model, config_.norm_eps, init));
}

c10::TensorOptions TransformerImpl::tensor_options() const {
  return c10::TensorOptions().dtype(options_.dtype).device(options_.device);
}

int64_t TransformerImpl::unique_parameter_count() const {
  // Keyed by storage rather than data pointer so the count also works on the meta
  // device, where every data pointer is null.
  std::unordered_set<const void*> seen;
  int64_t total = 0;
  for (const auto& p : parameters()) {
    if (seen.insert(p.storage().unsafeGetStorageImpl()).second) total += p.numel();
  }
  return total;
}

KvCache TransformerImpl::make_cache(int64_t batch, int64_t capacity) {
  rotary_.reserve(capacity);
  const auto& w = config_.widths;
  return make_kv_cache(config_.layout.full_layers, batch, w.n_kv_heads, capacity, w.head_dim, tensor_options());
}

at::Tensor TransformerImpl::forward(const at::Tensor& tokens, TokenPositions& positions, int64_t logit_positions) {
  at::Tensor h = at::embedding(embedding, tokens);  // (B, T, d)
  for (size_t i = 0; i < layers.size(); ++i) {
    profiles::ScopedRange range(profiles::kAttentionLayerRange);
    h = layers[i]->forward(h, positions, static_cast<int>(i));
  }
  for (int set : mlp_schedule_) {
    profiles::ScopedRange range(profiles::kMlpOnlyLayerRange);
    h = mlp_sets[set]->forward(h);
  }
  // Norm and project only the positions whose logits are wanted.
  if (logit_positions == 0) return {};
  const int64_t tokens_in = h.size(1);
  if (logit_positions < tokens_in) h = h.narrow(1, tokens_in - logit_positions, logit_positions);
  return at::linear(final_norm(h), embedding);  // (B, L, V)
}

at::Tensor TransformerImpl::forward(const at::Tensor& tokens) {
  auto [cos, sin] = rotary_.range(0, tokens.size(1));
  NoCache positions(cos, sin);
  return forward(tokens, positions, tokens.size(1));
}

at::Tensor TransformerImpl::forward_cached(const at::Tensor& tokens, KvCache& cache, int64_t past,
                                           int64_t logit_positions) {
  const int64_t n = tokens.size(1);
  TORCH_CHECK(past >= 0 && past + n <= cache.capacity, "tokens [", past, ", ", past + n,
              ") do not fit a KV cache of capacity ", cache.capacity);
  TORCH_CHECK(tokens.size(0) == cache.batch, "batch ", tokens.size(0), " != cache batch ", cache.batch);
  TORCH_CHECK(logit_positions >= 0 && logit_positions <= n, "logit_positions must be in [0, ", n, "]");
  auto [cos, sin] = rotary_.range(past, n);
  HostPositions positions(cache, past, cos, sin);
  return forward(tokens, positions, logit_positions);
}

}  // namespace shishu::models
