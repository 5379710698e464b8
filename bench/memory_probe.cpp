#include "bench/memory_probe.h"

#include "bench/cpu_tensor_memory.h"
#include "bench/device_info.h"

#include <malloc.h>

#include <fstream>
#include <string>

#ifdef SHISHU_HAS_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

namespace shishu::bench {
namespace {

// A "Vm...:   1234 kB" line of /proc/self/status, in bytes; -1 if absent.
double proc_status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) * 1024.0;
  }
  return -1;
}

}  // namespace

MemoryProbe::MemoryProbe(c10::Device device) : device_(device) { require_resolved(device_, "MemoryProbe"); }

void MemoryProbe::reset() {
#ifdef SHISHU_HAS_CUDA
  if (device_.is_cuda()) {
    c10::cuda::CUDACachingAllocator::resetPeakStats(device_.index());
    return;
  }
#endif
  // Return freed heap to the OS first: glibc keeps it mapped, and without the trim the
  // previous point's high-water mark would carry over as this point's RSS.
  malloc_trim(0);
  reset_cpu_tensor_peak();
  tensor_bytes_at_start_ = static_cast<double>(cpu_tensor_bytes());
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  rss_reset_ok_ = static_cast<bool>(clear);
  rss_at_start_ = proc_status_bytes("VmRSS");
}

void MemoryProbe::record(PointResult& result) const {
#ifdef SHISHU_HAS_CUDA
  if (device_.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device_.index());
    const auto aggregate = static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE);
    result.set_value("cuda_peak_allocated_bytes", static_cast<double>(stats.allocated_bytes[aggregate].peak));
    result.set_value("cuda_peak_reserved_bytes", static_cast<double>(stats.reserved_bytes[aggregate].peak));
    size_t free_bytes = 0, total_bytes = 0;
    // cudaMemGetInfo reads the calling thread's current device, not an argument: make it
    // the point's device for this one call.
    const c10::cuda::CUDAGuard on_point_device(device_.index());
    if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) {
      result.set_value("cuda_device_used_bytes", static_cast<double>(total_bytes - free_bytes));
    }
    return;
  }
#endif
  if (cpu_tensor_counter_installed()) {
    result.set_value("cpu_peak_allocated_bytes", static_cast<double>(cpu_tensor_peak_bytes()));
    result.set_value("cpu_allocated_start_bytes", tensor_bytes_at_start_);
  }
  if (rss_reset_ok_) {
    result.set_value("cpu_peak_rss_bytes", proc_status_bytes("VmHWM"));
    result.set_value("cpu_rss_start_bytes", rss_at_start_);
  }
}

void release_cached_memory(c10::Device device) {
#ifdef SHISHU_HAS_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
}

MemoryRoom memory_room(c10::Device device) {
#ifdef SHISHU_HAS_CUDA
  if (device.is_cuda()) {
    require_resolved(device, "memory_room");
    const c10::cuda::CUDAGuard on_device(device.index());
    size_t free_bytes = 0, total_bytes = 0;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) return {int64_t{1} << 60, "cudaMemGetInfo failed"};
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    const auto all = static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE);
    const int64_t cached = stats.reserved_bytes[all].current - stats.allocated_bytes[all].current;
    return {static_cast<int64_t>(free_bytes) + cached, "cudaMemGetInfo free, plus the caching allocator's unused"};
  }
#endif
  return cpu_memory_room();
}

}  // namespace shishu::bench
