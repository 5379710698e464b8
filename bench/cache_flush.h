// `run --l2-flush`: cold-cache samples. Before each timed sample of a sequence phase
// (forward, forward_backward, train_step), outside its interval, a buffer twice the size
// of the last-level cache is overwritten, so the sample starts with none of its weights
// or activations cached: on CUDA the L2 (its size from the device), on the CPU the L3
// (sysconf; 64 MiB where the system does not say). Generation is left warm: each decode
// step re-reading what the last one left in cache is the workload itself. The buffer is
// kept out of every peak-memory figure but cuda_device_used_bytes.
#pragma once
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>

namespace shishu::bench {

class CacheFlusher {
 public:
  explicit CacheFlusher(c10::Device device);  // resolved (bench::parse_device)
  ~CacheFlusher();
  void flush();                 // queues the overwrite (CUDA) or does it (CPU)
  int64_t bytes() const;        // the buffer's size: twice the cache's

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shishu::bench
