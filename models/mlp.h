// SwiGLU MLP without biases, down(silu(gate(x)) * up(x)), and the MLP-only block
// out = x + MLP(Norm(x)) that ShishuLM stacks on top of its attention layers.
// gate and up are one fused (2F, d) weight: the same parameters and arithmetic as two
// separate projections, in one matmul launch instead of two.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "models/init.h"
#include "models/rmsnorm.h"

namespace shishu::models {

class SwiGluImpl : public torch::nn::Module {
 public:
  SwiGluImpl(int64_t d_model, int64_t hidden, InitContext& init);
  at::Tensor forward(const at::Tensor& x);  // (B, T, d) -> (B, T, d)

  at::Tensor gate_up;  // (2*hidden, d): rows [0, hidden) gate, [hidden, 2*hidden) up
  at::Tensor down;     // (d, hidden)
 private:
  int64_t hidden_;
};
TORCH_MODULE(SwiGlu);

// One MLP-only parameter set: a norm and an MLP. A tied pair runs the same block twice.
class MlpBlockImpl : public torch::nn::Module {
 public:
  MlpBlockImpl(int64_t d_model, int64_t hidden, double eps, InitContext& init);
  at::Tensor forward(const at::Tensor& x);  // x + MLP(Norm(x))

  RMSNorm norm{nullptr};
  SwiGlu mlp{nullptr};
};
TORCH_MODULE(MlpBlock);

}  // namespace shishu::models
