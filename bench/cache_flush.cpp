#include "bench/cache_flush.h"

#include <unistd.h>

#include <cstring>
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

int64_t last_level_cache_bytes(const c10::Device& device) {
#ifdef SHISHU_HAS_CUDA
  if (device.is_cuda()) {
    int l2 = 0;
    if (cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device.index()) == cudaSuccess && l2 > 0) return l2;
  }
#endif
  const long l3 = ::sysconf(_SC_LEVEL3_CACHE_SIZE);
  return l3 > 0 ? l3 : int64_t{32} << 20;  // 2 x 32 MiB = 64 MiB where unknown
}

}  // namespace

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
  impl_->bytes = 2 * last_level_cache_bytes(device);
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
