#include "models/decode/device_positions.h"

#include <ATen/ATen.h>

namespace shishu::models {

DevicePositions::DevicePositions(KvCache& cache, const at::Tensor& position, RotaryTable table, RotaryForm form)
    : cache_(cache), position_(position), form_(form) {
  const int64_t capacity = cache.capacity;
  const auto i64 = at::TensorOptions().dtype(at::kLong).device(position.device());
  key_index_ = at::arange(capacity, i64).view({1, 1, 1, capacity});
  mask_ = at::zeros({1, 1, 1, capacity}, i64.dtype(at::kBool));
  // Every position's rows exist before any capture: a graph reads them by address.
  auto [cos, sin] = table.range(0, capacity);  // (capacity, D)
  cos_ = cos.unsqueeze(1);                     // (capacity, 1, D): one row per position, broadcast over heads
  sin_ = sin.unsqueeze(1).clone();
  if (form_ == RotaryForm::kFused) sin_.narrow(2, 0, sin_.size(2) / 2).neg_();  // rotate_half's sign, folded in
}

void DevicePositions::begin_step() {
  at::le_out(mask_, key_index_, position_);    // keys 0..position
  cos_row_ = cos_.index_select(0, position_);  // (1, 1, D)
  sin_row_ = sin_.index_select(0, position_);  // (1, 1, D)
}

at::Tensor DevicePositions::rotate(const at::Tensor& qk) {
  if (form_ == RotaryForm::kReference) return apply_rotary(qk, cos_row_, sin_row_);
  return at::addcmul(qk * cos_row_, at::roll(qk, {qk.size(-1) / 2}, {-1}), sin_row_);
}

at::Tensor DevicePositions::attend(int layer, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  cache_.keys[layer].index_copy_(2, position_, k);
  cache_.values[layer].index_copy_(2, position_, v);
  return single_token_attention(q, cache_.keys[layer], cache_.values[layer], mask_);  // (B, H, 1, D)
}

}  // namespace shishu::models
