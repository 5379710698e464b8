#include "bench/memory_model.h"

#include <algorithm>

#include "models/analytic.h"

namespace shishu::bench {

namespace {
double storage_bytes(const models::Dtype& d) { return models::element_bytes(d.storage); }
double compute_bytes(const models::Dtype& d) { return models::element_bytes(d.compute); }
}  // namespace

double activation_bytes(const models::ModelConfig& c, double tokens, const models::Dtype& dtype) {
  // Per token, in elements:
  //   full layer:     norm input and output (2d), qkv (q + 2kv), rotated q and k (q + kv),
  //                   attention output (q), MLP block: norm input and output (2d),
  //                   gate_up (2f), silu(gate) and the product (2f)
  //   MLP-only layer: norm input and output (2d), gate_up (2f), silu(gate) and product (2f)
  //   final norm:     input and output (2d)
  const double d = c.widths.d_model, f = c.widths.ffn_hidden;
  const double q = double(c.widths.n_heads) * c.widths.head_dim, kv = double(c.widths.n_kv_heads) * c.widths.head_dim;
  const double full = 4 * d + 3 * q + 3 * kv + 4 * f;
  const double mlp_only = 2 * d + 4 * f;
  const double per_token = c.layout.full_layers * full + c.layout.mlp_only_layers() * mlp_only + 2 * d;
  return tokens * per_token * compute_bytes(dtype);
}

double backward_transient_bytes(const models::ModelConfig& c, const models::Dtype& dtype) {
  return 2.0 * double(c.widths.vocab) * double(c.widths.d_model) * storage_bytes(dtype);
}

double training_logits_bytes(const models::ModelConfig& c, const Point& p, const models::Dtype& dtype) {
  const double seq = double(p.axis(Axis::kSeq)), rows = double(p.batch());
  const double logits = rows * seq * double(c.widths.vocab) * compute_bytes(dtype);
  const double loss_input = rows * (seq - 1) * double(c.widths.vocab) * 4;
  return 2.0 * (logits + loss_input);
}

double training_peak_bytes(const Prediction& p) {
  return p.weight_bytes + p.optimizer_bytes +
         std::max(p.grad_bytes + p.transient_bytes, p.activation_bytes + p.logits_bytes);
}

double resident_weight_bytes(const models::ModelConfig& config, const models::Dtype& dtype) {
  double bytes = static_cast<double>(models::weight_bytes(config, models::element_bytes(dtype.storage)));
  if (dtype.mixed()) bytes += static_cast<double>(models::weight_bytes(config, models::element_bytes(dtype.compute)));
  return bytes;
}

double inference_activation_bytes(const models::ModelConfig& c, double batch, double tokens,
                                  const models::Dtype& dtype) {
  return batch * tokens * (4.0 * c.widths.d_model + 4.0 * c.widths.ffn_hidden) * compute_bytes(dtype);
}

double rotary_table_bytes(const models::ModelConfig& c, int64_t positions, const models::Dtype& dtype) {
  return 2.0 * c.widths.head_dim * double(std::max<int64_t>(positions, 256)) * compute_bytes(dtype);
}

double rotary_build_bytes(const models::ModelConfig& c, int64_t positions) {
  return 8.0 * c.widths.head_dim * double(std::max<int64_t>(positions, 256));
}

Prediction decode_memory(const models::ModelConfig& c, const Point& p) {
  const double batch = double(p.batch()), keys = double(p.axis(Axis::kDepth) + p.axis(Axis::kGen));
  const int element = models::element_bytes(p.dtype.storage);  // generation never mixes precisions
  Prediction r;
  r.weight_bytes = static_cast<double>(models::weight_bytes(c, element));
  r.kv_cache_bytes = batch * keys * double(models::kv_bytes_per_token(c, element));
  r.logits_bytes = batch * c.widths.vocab * element;
  // One token's activations, attention's scores and softmax over every key, the rotary table.
  const double heads = c.widths.n_heads;
  r.activation_bytes = inference_activation_bytes(c, batch, 1, p.dtype) + batch * 2 * heads * keys * element +
                       (1 + p.mode.row().rotary_tables) * rotary_table_bytes(c, int64_t(keys), p.dtype) +
                       (p.mode.row().rotary_tables > 0 ? rotary_build_bytes(c, int64_t(keys)) : 0);
  return r;
}

double sequence_pass_bytes(const models::ModelConfig& c, const Point& p, int weight_reads) {
  const double tokens = double(p.batch()) * double(p.axis(Axis::kSeq));
  // decode_step_bytes over an empty cache is the executed weights, read once.
  const double weights = models::decode_step_bytes(c, 1, 0, models::element_bytes(p.dtype.storage));
  return weight_reads * weights + tokens * double(c.widths.vocab) * compute_bytes(p.dtype);
}

}  // namespace shishu::bench
