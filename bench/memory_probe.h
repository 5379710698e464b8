// Peak memory per point, reset at the point's start.
//  CUDA: the caching allocator's peak allocated and peak reserved bytes (reset with
//        resetPeakStats), and device-wide used bytes from cudaMemGetInfo.
//  CPU:  the process's resident-set high-water mark. Writing "5" to
//        /proc/self/clear_refs resets VmHWM to the current RSS (Linux >= 4.0), so the
//        figure is this point's peak, not the process's lifetime peak (freed heap is
//        handed back with malloc_trim first, so earlier points do not linger). Where that
//        reset is refused, no CPU figure is reported rather than a misleading one.
//        Beside it, the bytes in live tensors, exact, from the counting CPU allocator
//        (bench/cpu_tensor_memory.h): peak since the point's start, and at its start.
#pragma once
#include <c10/core/Device.h>

#include "bench/memory_room.h"
#include "bench/result.h"

namespace shishu::bench {

class MemoryProbe {
 public:
  // `device` must be resolved (bench::resolve_device): throws std::logic_error otherwise.
  explicit MemoryProbe(c10::Device device);
  void reset();                          // call at the start of a point
  void record(PointResult& result) const;  // peak figures since reset()

 private:
  c10::Device device_;
  bool rss_reset_ok_ = false;
  double rss_at_start_ = -1;
  double tensor_bytes_at_start_ = -1;
};

// Frees cached allocator blocks after an out-of-memory so the next point starts clean.
void release_cached_memory(c10::Device device);

// The memory a point on `device` may still take: on a GPU the driver's free bytes plus
// what the caching allocator holds unused; on the CPU bench/memory_room.h's.
MemoryRoom memory_room(c10::Device device);

}  // namespace shishu::bench
