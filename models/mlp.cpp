#include "models/mlp.h"

#include <ATen/ATen.h>

namespace shishu::models {


SwiGluImpl::SwiGluImpl(int64_t d_model, int64_t hidden, InitContext& init) : hidden_(hidden) {
  gate_up = register_parameter("gate_up", init.normal({2 * hidden, d_model}));
  down = register_parameter("down", init.normal({d_model, hidden}));
}

at::Tensor SwiGluImpl::forward(const at::Tensor& x) {
  at::Tensor gu = at::linear(x, gate_up);  // (B, T, 2F)
  at::Tensor gate = gu.narrow(-1, 0, hidden_);
  at::Tensor up = gu.narrow(-1, hidden_, hidden_);
  return at::linear(at::silu(gate) * up, down);  // (B, T, d)
}

MlpBlockImpl::MlpBlockImpl(int64_t d_model, int64_t hidden, double eps, InitContext& init) {
  norm = register_module("norm", RMSNorm(d_model, eps, init));
  mlp = register_module("mlp", SwiGlu(d_model, hidden, init));
}

at::Tensor MlpBlockImpl::forward(const at::Tensor& x) { return x + mlp(norm(x)); }

}  // namespace shishu::models
