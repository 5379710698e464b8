// `run --memory-snapshot`: PyTorch's own record of the CUDA caching allocator, for one
// untimed pass of each CUDA point. LibTorch records every allocation and free with its
// C++ stack (torch::cuda::_record_memory_history) and dumps the pickle that
// torch.cuda.memory._dump_snapshot writes (torch::cuda::_memory_snapshot_pickled), so the
// tools people already use open it: drag it onto https://pytorch.org/memory_viz, or
// `python -m torch.cuda._memory_viz trace_plot FILE -o FILE.html` offline.
// The recording slows allocation down, hence its own pass after the timed ones.
#pragma once
#include <c10/core/Device.h>

#include <string>

namespace shishu::bench {

// Why a point on `device` cannot be recorded ("" when it can): the CPU has no caching
// allocator to snapshot (its tensor bytes are counted exactly instead), and a build
// without CUDA has no recorder.
std::string memory_snapshot_unavailable(const c10::Device& device);

class MemorySnapshot {
 public:
  void start();                         // record from here (history cleared)
  void stop_and_write(const std::string& path);  // the pickle; recording off again
};

}  // namespace shishu::bench
