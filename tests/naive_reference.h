// An independent, deliberately naive fp64 implementation of the model's forward pass,
// written from the architecture description (REFERENCE.md) rather than from the
// modules: explicit per-head loops, explicit rotate-half RoPE, explicit causal mask.
// It reads the module's parameters and nothing else.
#pragma once
#include <ATen/ATen.h>

#include <cmath>

#include "models/transformer.h"

namespace shishu::testing {

inline at::Tensor naive_rms(const at::Tensor& x, const at::Tensor& w, double eps) {
  return x / at::sqrt((x * x).mean({-1}, true) + eps) * w.to(at::kDouble);
}

inline at::Tensor naive_mlp(const at::Tensor& x, models::MlpBlockImpl& block, double eps) {
  at::Tensor a = naive_rms(x, block.norm->weight, eps);
  const int64_t f = block.mlp->down.size(1);
  at::Tensor w = block.mlp->gate_up.to(at::kDouble);
  at::Tensor gate = at::matmul(a, w.narrow(0, 0, f).t());
  at::Tensor up = at::matmul(a, w.narrow(0, f, f).t());
  at::Tensor silu = gate / (1 + at::exp(-gate));
  return x + at::matmul(silu * up, block.mlp->down.to(at::kDouble).t());
}

// (T, D) rows: position t, dimension i -> the rotation of pair (i, i + D/2).
inline at::Tensor naive_rope(const at::Tensor& x, double theta) {  // x: (T, D) fp64
  const int64_t T = x.size(0), D = x.size(1), half = D / 2;
  at::Tensor y = at::empty_like(x);
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t i = 0; i < half; ++i) {
      const double angle = t * std::pow(theta, -2.0 * i / D);
      const double a = x[t][i].item<double>(), b = x[t][i + half].item<double>();
      y[t][i] = a * std::cos(angle) - b * std::sin(angle);
      y[t][i + half] = b * std::cos(angle) + a * std::sin(angle);
    }
  }
  return y;
}

// tokens (1, T) -> logits (1, T, V), fp64.
inline at::Tensor naive_forward(models::TransformerImpl& m, const at::Tensor& tokens) {
  const auto& c = m.config();
  const int64_t T = tokens.size(1), H = c.widths.n_heads, KV = c.widths.n_kv_heads, D = c.widths.head_dim;
  at::Tensor E = m.embedding.to(at::kDouble);
  at::Tensor h = E.index_select(0, tokens.view({-1}).cpu()).unsqueeze(0);  // (1, T, d)
  at::Tensor causal = at::ones({T, T}, at::kBool).tril();
  for (auto& layer : m.layers) {
    at::Tensor a = naive_rms(h, layer->attn_norm->weight, c.norm_eps)[0];  // (T, d)
    at::Tensor qkv = at::matmul(a, layer->attn->qkv.to(at::kDouble).t());  // (T, (H+2KV)*D)
    std::vector<at::Tensor> heads_out;
    for (int64_t head = 0; head < H; ++head) {
      const int64_t kv = head / (H / KV);  // grouped-query: H/KV query heads per KV head
      at::Tensor q = naive_rope(qkv.narrow(1, head * D, D), c.rope_theta);
      at::Tensor k = naive_rope(qkv.narrow(1, H * D + kv * D, D), c.rope_theta);
      at::Tensor v = qkv.narrow(1, H * D + KV * D + kv * D, D);
      at::Tensor scores = at::matmul(q, k.t()) / std::sqrt(double(D));
      scores = scores.masked_fill(causal.logical_not(), -INFINITY);
      heads_out.push_back(at::matmul(at::softmax(scores, -1), v));  // (T, D)
    }
    at::Tensor o = at::matmul(at::cat(heads_out, 1), layer->attn->out.to(at::kDouble).t());
    h = h + o.unsqueeze(0);
    h = naive_mlp(h, *layer->mlp, c.norm_eps);
  }
  for (int set : c.layout.mlp_schedule()) h = naive_mlp(h, *m.mlp_sets[set], c.norm_eps);
  return at::matmul(naive_rms(h, m.final_norm->weight, c.norm_eps), E.t());
}

}  // namespace shishu::testing
