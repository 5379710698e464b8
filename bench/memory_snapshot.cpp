#include "bench/memory_snapshot.h"

#include <fstream>
#include <stdexcept>

#ifdef SHISHU_HAS_CUDA
#include <torch/csrc/cuda/memory_snapshot.h>
#endif

namespace shishu::bench {

std::string memory_snapshot_unavailable(const c10::Device& device) {
  if (!device.is_cuda()) {
    return "memory snapshots record the CUDA caching allocator; CPU points count their tensor bytes exactly instead "
           "(cpu_peak_allocated_bytes)";
  }
#ifdef SHISHU_HAS_CUDA
  return "";
#else
  return "this build has no CUDA support";
#endif
}

void MemorySnapshot::start() {
#ifdef SHISHU_HAS_CUDA
  // enabled "all": allocations, frees and segment events; context "all": the stack of
  // each event as well as the state; "cpp": C++ stacks (there is no Python here).
  torch::cuda::_record_memory_history("all", "all", "cpp", /*max_entries=*/1000000, /*clearHistory=*/true);
#else
  throw std::logic_error("MemorySnapshot::start in a build without CUDA");
#endif
}

void MemorySnapshot::stop_and_write(const std::string& path) {
#ifdef SHISHU_HAS_CUDA
  const std::string pickle = torch::cuda::_memory_snapshot_pickled();
  torch::cuda::_record_memory_history(std::nullopt);  // off: later points are not slowed
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(pickle.data(), static_cast<std::streamsize>(pickle.size()));
  out.flush();
  if (!out) throw std::runtime_error("cannot write the memory snapshot " + path);
#else
  throw std::logic_error("MemorySnapshot::stop_and_write in a build without CUDA (" + path + ")");
#endif
}

}  // namespace shishu::bench
