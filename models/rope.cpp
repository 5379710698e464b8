#include "models/rope.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace shishu::models {

RotaryTable::RotaryTable(int64_t head_dim, double theta, c10::TensorOptions options)
    : head_dim_(head_dim), theta_(theta), options_(options) {}

void RotaryTable::reserve(int64_t n) {
  if (n <= size()) return;
  // Grow geometrically so a decode loop that calls reserve(pos+1) rebuilds rarely.
  const int64_t rows = std::max<int64_t>(n, std::max<int64_t>(2 * size(), 256));
  // Angles in fp64 on the CPU: pos * theta^(-2i/D) reaches thousands of radians at long
  // contexts, where fp32 would lose ~1e-4 rad before the cast to the model dtype.
  auto f64 = at::TensorOptions().dtype(at::kDouble);
  at::Tensor inv_freq = at::pow(theta_, -at::arange(0, head_dim_, 2, f64) / double(head_dim_));  // (D/2)
  at::Tensor angles = at::outer(at::arange(rows, f64), inv_freq);  // (rows, D/2)
  // Each half converted before it is doubled: the fp64 held at once is the angles and
  // one half, not two full (rows, D) tables (42 MB at 32k positions, D 64).
  const at::Tensor cos_half = angles.cos().to(options_), sin_half = angles.sin().to(options_);
  cos_ = at::cat({cos_half, cos_half}, -1);  // (rows, D)
  sin_ = at::cat({sin_half, sin_half}, -1);
}

std::pair<at::Tensor, at::Tensor> RotaryTable::range(int64_t start, int64_t len) {
  reserve(start + len);
  return {cos_.narrow(0, start, len), sin_.narrow(0, start, len)};
}

at::Tensor apply_rotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  at::Tensor rotated = at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * cos + rotated * sin;
}

}  // namespace shishu::models
