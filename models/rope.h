// Rotary position embedding, HF-Llama "rotate half" convention, theta 10000.
// The cos/sin table grows on demand, so positions are not capped at the 2048 of the
// published configs (the paper sweeps to 4096).
#pragma once
#include <ATen/core/Tensor.h>

namespace shishu::models {

class RotaryTable {
 public:
  RotaryTable(int64_t head_dim, double theta, c10::TensorOptions options);

  // Makes positions [0, n) available; call before CUDA-graph capture, never during.
  void reserve(int64_t n);
  // Rows for positions [start, start+len): views, no copy.  Each (len, head_dim).
  std::pair<at::Tensor, at::Tensor> range(int64_t start, int64_t len);
  int64_t size() const { return cos_.defined() ? cos_.size(0) : 0; }

 private:
  int64_t head_dim_;
  double theta_;
  c10::TensorOptions options_;
  at::Tensor cos_, sin_;  // (positions, head_dim), in the model dtype
};

// x: (B, T, n, D), n heads per token; cos, sin: (T, 1, D). Returns x*cos + rotate_half(x)*sin.
at::Tensor apply_rotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);

}  // namespace shishu::models
