// What the device does, not what its datasheet says: the two ceilings every figure is
// set against. The method, stated in the report beside the numbers:
//  copy    a device-to-device copy of `copy_bytes` of random data (dst.copy_(src));
//          bytes moved = read + written = 2 x copy_bytes, per second;
//  matmul  an n x n x n matmul of random data in `dtype`; 2 n^3 FLOPs per second.
// Each: `warmup` untimed runs, then the median of `repetitions` timed ones (CUDA events
// on a GPU, the steady clock on the CPU).
#pragma once
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <string>

namespace shishu::bench {

struct CeilingOptions {
  int64_t copy_bytes = 0;  // per buffer
  int64_t matmul_n = 0;
  int warmup = 3, repetitions = 10;
};

// CUDA: 1 GiB buffers (far past any L2) and 8192^3, the sizes of the published H200
// figures; CPU: 256 MiB and 1024^3 (a 2-core machine does that in tens of ms).
CeilingOptions default_ceiling_options(const c10::Device& device);

struct Ceilings {
  double copy_bytes_per_s = 0;
  double matmul_flops_per_s = 0;
  c10::ScalarType matmul_dtype = c10::ScalarType::Float;
  CeilingOptions options;
  std::string method() const;  // one sentence, for the report and the console
};

// `device` resolved (bench::resolve_device). Throws what LibTorch throws (an OOM too).
Ceilings measure_ceilings(const c10::Device& device, c10::ScalarType matmul_dtype, const CeilingOptions& options);

}  // namespace shishu::bench
