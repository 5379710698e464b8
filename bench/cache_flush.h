// `run --l2-flush`: cold-cache samples. Before each timed sample of a sequence phase
// (forward, forward_backward, train_step), outside its interval, a buffer twice the size
// of the last-level cache is overwritten, so the sample starts with none of its weights
// or activations cached: on CUDA the L2 (its size from the device), on the CPU the
// largest cache sysfs lists for cpu0 (getconf's figure only where sysfs says nothing, as
// it can disagree with the kernel; 32 MiB where neither says). Generation is left warm:
// each decode step re-reading what the last one left in cache is the workload itself.
// The buffer bypasses LibTorch's allocators, so it is out of their peaks; it is resident,
// so it is inside cpu_peak_rss_bytes and cuda_device_used_bytes, and every cold point
// records its size beside them (cache_flush_bytes).
#pragma once
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>

namespace shishu::bench {

struct CacheSize {
  int64_t bytes = 0;
  std::string source;  // where the figure comes from, e.g. "sysfs cpu0 index3 (L3)"
};
// The last-level cache of `device` (resolved), as the flush sizes itself by it.
CacheSize last_level_cache(const c10::Device& device);

class CacheFlusher {
 public:
  explicit CacheFlusher(c10::Device device);  // resolved (bench::resolve_device)
  ~CacheFlusher();
  void flush();                 // queues the overwrite (CUDA) or does it (CPU)
  int64_t bytes() const;        // the buffer's size: twice the cache's

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shishu::bench
