// Deterministic parameter initialisation. Values are drawn on the CPU in fp32 from one
// seeded generator, in a fixed order, then converted: the same seed gives the same
// weights on every device and in every dtype (up to rounding), and draws for one
// tensor never depend on thread count.
#pragma once
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <c10/core/TensorOptions.h>

namespace shishu::models {

struct InitContext {
  at::Generator generator;    // CPU generator, seeded once per model
  c10::TensorOptions target;  // dtype and device of the built model
  double std = 0.02;          // of every projection and the embedding: HF-Llama's initializer_range

  at::Tensor normal(at::IntArrayRef shape);  // N(0, std)
  at::Tensor ones(at::IntArrayRef shape);
};

InitContext make_init_context(uint64_t seed, c10::TensorOptions target, double std = 0.02);

}  // namespace shishu::models
