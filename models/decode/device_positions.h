// The seam of one decode step with its position on the device (models/positions.h): the
// rotary rows are gathered at the position, the new K/V written there, and attention
// reads the whole capacity under a mask of the keys written so far. Nothing it reads
// comes from the host, so a CUDA graph of the step replays for every position.
//   kReference  rotary as the reference computes it, x*cos + rotate_half(x)*sin
//   kFused      x*cos + roll(x, D/2)*sin' (sin' = sin with its first half negated, which
//               is rotate_half folded in): 3 operators where the reference spends 7
#pragma once
#include <ATen/core/Tensor.h>

#include "models/positions.h"
#include "models/rope.h"

namespace shishu::models {

enum class RotaryForm { kReference, kFused };

class DevicePositions : public TokenPositions {
 public:
  // `position`: (1,) int64 on the cache's device, the fed token's position, which the
  // caller advances; `table` gives the rotary rows of every position the cache holds.
  DevicePositions(KvCache& cache, const at::Tensor& position, RotaryTable table, RotaryForm form);

  // Before each step: the mask of attendable keys and the rotary rows at the position.
  void begin_step();
  at::Tensor rotate(const at::Tensor& qk) override;
  at::Tensor attend(int layer, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) override;

 private:
  KvCache& cache_;
  at::Tensor position_;  // (1,) int64, shared with the decoder
  RotaryForm form_;
  at::Tensor key_index_, mask_;   // (1, 1, 1, capacity): 0..capacity-1, and keys <= position
  at::Tensor cos_, sin_;          // (capacity, 1, D); sin_ with its first half negated for kFused
  at::Tensor cos_row_, sin_row_;  // (1, 1, D), this step's
};

}  // namespace shishu::models
