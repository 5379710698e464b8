// The phases, one row each. A new phase: its file under bench/phases/, a declaration
// and a row here, and its name and traits in bench/point.cpp.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

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
