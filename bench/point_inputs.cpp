#include "bench/point_inputs.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

namespace shishu::bench {
namespace {

// FNV-1a: a fixed hash, unlike std::hash, so inputs are the same with every standard library.
uint64_t fnv1a(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

at::Tensor point_tokens(const Point& p, int64_t len, int64_t vocab, uint64_t seed, c10::Device device) {
  const uint64_t point_seed = seed ^ fnv1a(p.id());
  auto gen = at::make_generator<at::CPUGeneratorImpl>(point_seed);
  return at::randint(vocab, {p.batch(), len}, gen, at::TensorOptions().dtype(at::kLong)).to(device);
}

}  // namespace shishu::bench
