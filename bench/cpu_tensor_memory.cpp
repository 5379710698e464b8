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

// What our deleter needs: the wrapped allocation (freed with its own deleter) and its size.
struct Counted {
  c10::DataPtr inner;
  int64_t bytes;
};

void release(void* context) {
  auto* counted = static_cast<Counted*>(context);
  g_current.fetch_sub(counted->bytes, std::memory_order_relaxed);
  delete counted;  // frees `inner` through the wrapped allocator's deleter
}

class CountingAllocator final : public c10::Allocator {
 public:
  explicit CountingAllocator(c10::Allocator* inner) : inner_(inner) {}

  c10::DataPtr allocate(size_t n) override {
    c10::DataPtr data = inner_->allocate(n);
    void* raw = data.get();
    const c10::Device device = data.device();
    auto* counted = new Counted{std::move(data), static_cast<int64_t>(n)};
    const int64_t now = g_current.fetch_add(counted->bytes, std::memory_order_relaxed) + counted->bytes;
    int64_t peak = g_peak.load(std::memory_order_relaxed);
    while (now > peak && !g_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
    return {raw, counted, &release, device};
  }

  void copy_data(void* dest, const void* src, std::size_t count) const override { std::memcpy(dest, src, count); }

 private:
  c10::Allocator* inner_;
};

}  // namespace

void install_cpu_tensor_counter() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Leaked on purpose: tensors freed during static destruction still call into it.
    static auto* counter = new CountingAllocator(c10::GetCPUAllocator());
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
