#include "bench/cpu_tensor_memory.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace shishu::bench {
namespace {

std::atomic<int64_t> g_current{0};
std::atomic<int64_t> g_peak{0};
std::atomic<bool> g_installed{false};

// Each allocation carries its size in a header in front of the tensor's bytes, so the
// deleter needs nothing but the pointer. That matters: LibTorch's raw_allocate() (used
// by oneDNN, behind bf16 matmuls on the CPU) asserts that a DataPtr's context is its data
// pointer and frees it through raw_deleter() alone. A context object of our own, as an
// earlier version had, failed every bf16 CPU point with an internal assert.
// 64 bytes keep the default allocator's 64-byte alignment (c10::gAlignment) for the data.
constexpr size_t kHeader = 64;
c10::DeleterFnPtr g_inner_free = nullptr;  // the wrapped allocator's raw deleter

void counted_free(void* data) {
  if (data == nullptr) return;
  char* base = static_cast<char*>(data) - kHeader;
  int64_t bytes = 0;
  std::memcpy(&bytes, base, sizeof bytes);
  g_current.fetch_sub(bytes, std::memory_order_relaxed);
  g_inner_free(base);
}

class CountingAllocator final : public c10::Allocator {
 public:
  explicit CountingAllocator(c10::Allocator* inner) : inner_(inner) {}

  c10::DataPtr allocate(size_t n) override {
    char* base = static_cast<char*>(inner_->raw_allocate(n + kHeader));
    const auto bytes = static_cast<int64_t>(n);
    std::memcpy(base, &bytes, sizeof bytes);
    const int64_t now = g_current.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    int64_t peak = g_peak.load(std::memory_order_relaxed);
    while (now > peak && !g_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
    void* data = base + kHeader;
    return {data, data, &counted_free, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &counted_free; }
  void copy_data(void* dest, const void* src, std::size_t count) const override { std::memcpy(dest, src, count); }

 private:
  c10::Allocator* inner_;
};

}  // namespace

void install_cpu_tensor_counter() {
  static std::once_flag once;
  std::call_once(once, [] {
    c10::Allocator* inner = c10::GetCPUAllocator();
    g_inner_free = inner->raw_deleter();
    if (g_inner_free == nullptr) return;  // an allocator we cannot wrap: no CPU tensor figures
    // Leaked on purpose: tensors freed during static destruction still call into it.
    static auto* counter = new CountingAllocator(inner);
    // Priority above the default's, so the replacement takes.
    c10::SetCPUAllocator(counter, /*priority=*/100);
    g_installed = c10::GetCPUAllocator() == counter;
  });
}

bool cpu_tensor_counter_installed() { return g_installed; }
int64_t cpu_tensor_bytes() { return g_current.load(); }
int64_t cpu_tensor_peak_bytes() { return g_peak.load(); }
void reset_cpu_tensor_peak() { g_peak.store(g_current.load()); }

}  // namespace shishu::bench
