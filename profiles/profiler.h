// One profiled pass: start(), run the work, stop() -> Trace.
//  CPU:  LibTorch RecordFunction callbacks record every operator and every
//        ScopedRange (source "record_function").
//  CUDA: additionally the CUPTI Activity API records kernels, memcpy, memset, CUDA
//        runtime calls (graph launches among them) and NVTX ranges (source "cupti").
// Only one Profiler may be active at a time. Profiled passes are never timed passes.
#pragma once
#include <c10/core/Device.h>

#include <memory>

#include "profiles/trace.h"

namespace shishu::profiles {

class Profiler {
 public:
  explicit Profiler(c10::Device device);
  ~Profiler();
  void start();
  Trace stop();  // synchronises the device and flushes every buffer first

  // Whether CUPTI tracing is compiled in (CUDA toolkit with CUPTI at build time).
  static bool cupti_available();
  // Call before the first NVTX range of the process to route NVTX through CUPTI.
  static void enable_nvtx_injection();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shishu::profiles
