// A point's input tokens: a pure function of the seed and the point, so a point re-run
// alone (--benchmark_filter, --resume) sees the same inputs.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>

#include "bench/point.h"

namespace shishu::bench {

// Tokens (B, len) int64 on `device`, drawn from [0, vocab) with a generator seeded by
// `seed` and the point's id.
at::Tensor point_tokens(const Point& p, int64_t len, int64_t vocab, uint64_t seed, c10::Device device);

}  // namespace shishu::bench
