// Named ranges around phases and layers, for external and internal profilers alike:
// an NVTX range (what nsys and ncu show) and a RecordFunction user scope (what our
// CPU tracer and LibTorch's profiler see). With no tool attached both are a
// flag check: NVTX3 calls go through an uninitialised function table and
// RecordFunction does nothing without active callbacks.
#pragma once
#include <ATen/record_function.h>

#include "profiles/range_names.h"

#ifdef SHISHU_HAS_NVTX
#include <nvtx3/nvToolsExt.h>
#endif

namespace shishu::profiles {

class ScopedRange {
 public:
  explicit ScopedRange(const char* name) : record_(at::RecordScope::USER_SCOPE) {
#ifdef SHISHU_HAS_NVTX
    nvtxRangePushA(name);
#endif
    if (record_.isActive()) record_.before(name);
  }
  ~ScopedRange() {
#ifdef SHISHU_HAS_NVTX
    nvtxRangePop();
#endif
  }
  ScopedRange(const ScopedRange&) = delete;
  ScopedRange& operator=(const ScopedRange&) = delete;

 private:
  at::RecordFunction record_;  // ends its scope in its destructor
};

}  // namespace shishu::profiles
