// The phases, one row each. A new phase: its file under bench/phases/, a declaration
// and a row here, and its name and traits in bench/point.cpp.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "bench/phase.h"
#include "models/analytic.h"

namespace shishu::bench {

PhaseSpec forward_phase();
PhaseSpec forward_backward_phase();
PhaseSpec generate_phase();
PhaseSpec train_step_phase();

const PhaseSpec& phase_spec(Phase phase) {
  static const std::vector<PhaseSpec> kPhases = {forward_phase(), forward_backward_phase(), generate_phase(),
                                                     train_step_phase()};
  for (const auto& spec : kPhases) {
    if (spec.phase == phase) return spec;
  }
  throw std::logic_error("phase '" + to_string(phase) + "' has no row in bench/phases/registry.cpp");
}

namespace {

// FNV-1a: a fixed hash, unlike std::hash, so inputs are the same with every standard library.
uint64_t fnv1a(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

double activation_bytes(const models::ModelConfig& c, double tokens, const models::Precision& precision) {
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
  return tokens * per_token * models::dtype_bytes(precision.compute);
}

double backward_transient_bytes(const models::ModelConfig& c, const models::Precision& precision) {
  return 2.0 * double(c.widths.vocab) * double(c.widths.d_model) * models::dtype_bytes(precision.storage);
}

double training_logits_bytes(const models::ModelConfig& c, const Point& p, const models::Precision& precision) {
  const double logits = double(p.batch) * double(p.seq) * double(c.widths.vocab) * models::dtype_bytes(precision.compute);
  const double loss_input = double(p.batch) * double(p.seq - 1) * double(c.widths.vocab) * 4;
  return 2.0 * (logits + loss_input);
}

double training_peak_bytes(const Prediction& p) {
  return p.weight_bytes + p.optimizer_bytes +
         std::max(p.grad_bytes + p.transient_bytes, p.activation_bytes + p.logits_bytes);
}

double resident_weight_bytes(const models::ModelConfig& config, const models::Precision& precision) {
  double bytes = static_cast<double>(models::weight_bytes(config, models::dtype_bytes(precision.storage)));
  if (precision.autocast()) bytes += static_cast<double>(models::weight_bytes(config, models::dtype_bytes(precision.compute)));
  return bytes;
}

at::Tensor point_tokens(const Point& p, int64_t len, int64_t vocab, uint64_t seed, c10::Device device) {
  const uint64_t point_seed = seed ^ fnv1a(p.id());
  auto gen = at::make_generator<at::CPUGeneratorImpl>(point_seed);
  return at::randint(vocab, {p.batch, len}, gen, at::TensorOptions().dtype(at::kLong)).to(device);
}

}  // namespace shishu::bench
