#include "models/init.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

namespace shishu::models {

InitContext make_init_context(uint64_t seed, c10::TensorOptions target, double std) {
  return InitContext{at::make_generator<at::CPUGeneratorImpl>(seed), target, std};
}

at::Tensor InitContext::normal(at::IntArrayRef shape) {
  // On the meta device (shapes only, no storage) there is nothing to draw; this is how
  // the registry instantiates every variant, 1.5B included, in milliseconds.
  if (target.device().is_meta()) return at::empty(shape, target);
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
  t.normal_(0.0, std, generator);
  return t.to(target);
}

at::Tensor InitContext::ones(at::IntArrayRef shape) { return at::ones(shape, target); }

}  // namespace shishu::models
