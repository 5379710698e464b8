// RMSNorm (eps 1e-5 in the MobileLLM family): x * rsqrt(mean(x^2) + eps) * weight.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "models/init.h"

namespace shishu::models {

class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps, InitContext& init);
  at::Tensor forward(const at::Tensor& x);  // (..., dim) -> (..., dim)

  at::Tensor weight;  // (dim)
 private:
  int64_t dim_;
  double eps_;
};
TORCH_MODULE(RMSNorm);

}  // namespace shishu::models
