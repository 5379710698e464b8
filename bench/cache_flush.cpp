#include "bench/cache_flush.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "bench/device_info.h"

#ifdef SHISHU_HAS_CUDA
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

namespace shishu::bench {
namespace {

// "32768K", "2M" -> bytes; 0 for anything else.
int64_t sysfs_size(const std::string& text) {
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (n <= 0 || end == text.c_str()) return 0;
  const std::string unit(end);
  if (unit == "K") return n << 10;
  if (unit == "M") return n << 20;
  if (unit == "G") return n << 30;
  return unit.empty() ? n : 0;
}

std::string first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

CacheSize last_level_cache(const c10::Device& device) {
#ifdef SHISHU_HAS_CUDA
  if (device.is_cuda()) {
    int l2 = 0;
    if (cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device.index()) == cudaSuccess && l2 > 0) {
      return {l2, "cudaDevAttrL2CacheSize"};
    }
  }
#endif
  CacheSize best;
  int best_level = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/devices/system/cpu/cpu0/cache", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("index", 0) != 0 || first_line(entry.path() / "type") == "Instruction") continue;
    const int level = std::atoi(first_line(entry.path() / "level").c_str());
    const int64_t bytes = sysfs_size(first_line(entry.path() / "size"));
    if (bytes > 0 && level > best_level) {
      best_level = level;
      best = {bytes, "sysfs cpu0 " + name + " (L" + std::to_string(level) + ")"};
    }
  }
  if (best.bytes > 0) return best;
  const long l3 = ::sysconf(_SC_LEVEL3_CACHE_SIZE);
  if (l3 > 0) return {l3, "getconf LEVEL3_CACHE_SIZE"};
  return {int64_t{32} << 20, "unknown: 32 MiB assumed"};
}

// The buffer bypasses LibTorch's allocators (cudaMalloc, or the C++ heap): through them it
// would count in every point's peak memory (the CUDA caching allocator's statistics, the
// counting CPU allocator). It does show in cuda_device_used_bytes, which counts everything.
struct CacheFlusher::Impl {
  c10::Device device{c10::DeviceType::CPU};
  int64_t bytes = 0;
  std::vector<unsigned char> host;  // the CPU's buffer
  void* cuda = nullptr;             // the GPU's buffer
  unsigned char value = 0;
};

CacheFlusher::CacheFlusher(c10::Device device) : impl_(std::make_unique<Impl>()) {
  require_resolved(device, "CacheFlusher");
  impl_->device = device;
  impl_->bytes = 2 * last_level_cache(device).bytes;
#ifdef SHISHU_HAS_CUDA
  if (device.is_cuda()) {
    const c10::cuda::CUDAGuard on_device(device.index());
    C10_CUDA_CHECK(cudaMalloc(&impl_->cuda, static_cast<size_t>(impl_->bytes)));
    return;
  }
#endif
  impl_->host.resize(static_cast<size_t>(impl_->bytes));
}

CacheFlusher::~CacheFlusher() {
#ifdef SHISHU_HAS_CUDA
  if (impl_->cuda) cudaFree(impl_->cuda);
#endif
}

void CacheFlusher::flush() {
  // A write of every line, with a new value each time, so no cache can keep a line or
  // skip a store as redundant.
  ++impl_->value;
#ifdef SHISHU_HAS_CUDA
  if (impl_->cuda) {
    const c10::cuda::CUDAGuard on_device(impl_->device.index());
    C10_CUDA_CHECK(cudaMemsetAsync(impl_->cuda, impl_->value, static_cast<size_t>(impl_->bytes),
                                   c10::cuda::getCurrentCUDAStream(impl_->device.index())));
    return;
  }
#endif
  std::memset(impl_->host.data(), impl_->value, impl_->host.size());
}

int64_t CacheFlusher::bytes() const { return impl_->bytes; }

}  // namespace shishu::bench
