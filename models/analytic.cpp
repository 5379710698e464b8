#include "models/analytic.h"

#include <stdexcept>

namespace shishu::models {

void validate(const ModelConfig& c) {
  const auto& w = c.widths;
  auto positive = [&](int v, const char* what) {
    if (v <= 0) throw std::invalid_argument(c.name + ": " + what + " must be positive, got " + std::to_string(v));
  };
  positive(w.d_model, "d_model");
  positive(w.n_heads, "n_heads");
  positive(w.n_kv_heads, "n_kv_heads");
  positive(w.ffn_hidden, "ffn_hidden");
  positive(w.head_dim, "head_dim");
  positive(w.vocab, "vocab");
  if (w.n_heads % w.n_kv_heads != 0) {
    throw std::invalid_argument(c.name + ": n_heads (" + std::to_string(w.n_heads) +
                                ") must be a multiple of n_kv_heads (" + std::to_string(w.n_kv_heads) + ")");
  }
  if (w.head_dim % 2 != 0) throw std::invalid_argument(c.name + ": RoPE needs an even head_dim");
}

ParamBreakdown count_params(const ModelConfig& c) {
  const auto& w = c.widths;
  const int64_t d = w.d_model, f = w.ffn_hidden, hd = w.head_dim;
  const int64_t attention = d * hd * (2 * int64_t{w.n_heads} + 2 * int64_t{w.n_kv_heads});
  const int64_t mlp = 3 * d * f;
  ParamBreakdown p;
  p.embedding = int64_t{w.vocab} * d;
  p.final_norm = d;
  p.per_full_layer = attention + mlp + 2 * d;
  p.per_mlp_set = mlp + d;
  p.total = p.embedding + p.final_norm + c.layout.full_layers * p.per_full_layer +
            c.layout.mlp_param_sets() * p.per_mlp_set;
  return p;
}

int64_t kv_bytes_per_token(const ModelConfig& c, int bytes_per_element) {
  return 2LL * c.layout.full_layers * c.widths.n_kv_heads * c.widths.head_dim * bytes_per_element;
}

int64_t weight_bytes(const ModelConfig& c, int bytes_per_element) {
  return count_params(c).total * bytes_per_element;
}

double forward_flops(const ModelConfig& c, int64_t batch, int64_t new_tokens, int64_t past,
                     int64_t logit_positions) {
  const auto& w = c.widths;
  const double d = w.d_model, f = w.ffn_hidden, hd = w.head_dim;
  const double q_width = w.n_heads * hd, kv_width = w.n_kv_heads * hd;
  const double tokens = static_cast<double>(batch) * new_tokens;
  const double attn_proj = 2.0 * tokens * d * (2 * q_width + 2 * kv_width);  // qkv + o
  const double mlp = 2.0 * tokens * 3 * d * f;
  // Query i (0-based within the block) attends past + i + 1 keys; QK^T and AV each
  // cost 2 * head_dim FLOPs per (query head, key) pair.
  const double attended = new_tokens * static_cast<double>(past) + new_tokens * (new_tokens + 1) / 2.0;
  const double attn_core = 2.0 * 2.0 * hd * w.n_heads * attended * batch;
  const double per_full = attn_proj + attn_core + mlp;
  const double logits = 2.0 * batch * logit_positions * d * w.vocab;
  return c.layout.full_layers * per_full + c.layout.mlp_only_layers() * mlp + logits;
}

double decode_step_bytes(const ModelConfig& c, int64_t batch, int64_t cache_len, int bytes_per_element) {
  const auto p = count_params(c);
  // Tied MLP sets are executed (and, unfused, read) once per layer that uses them.
  const double executed_weights = p.embedding + p.final_norm + c.layout.full_layers * double(p.per_full_layer) +
                                  c.layout.mlp_only_layers() * double(p.per_mlp_set);
  const double kv = double(batch) * cache_len * kv_bytes_per_token(c, bytes_per_element);
  return executed_weights * bytes_per_element + kv;
}

}  // namespace shishu::models
