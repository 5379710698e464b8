#include "bench/clock.h"

#include <chrono>
#include <stdexcept>

#include "bench/device_info.h"

#ifdef SHISHU_HAS_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/Sleep.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace shishu::bench {

struct Timeline::Impl {
  explicit Impl(c10::Device d) : device(d) {}
  c10::Device device;
  int64_t used = 0;
  double slowdown = 0;  // fraction of each interval to add by busy-waiting (testing)
  std::chrono::steady_clock::time_point start;
  std::chrono::steady_clock::time_point host_start, host_last;  // when marks were queued
  std::vector<std::chrono::steady_clock::time_point> marks;
  std::vector<double> previous_ms;  // CUDA slowdown: each interval of the last repetition read
  double cycles_per_ms = 0;         // CUDA slowdown: the spin kernel's rate, timed once
#ifdef SHISHU_HAS_CUDA
  std::unique_ptr<at::cuda::CUDAEvent> start_event;
  std::vector<at::cuda::CUDAEvent> events;  // created up front: no allocation per token
#endif
};

Timeline::Timeline(c10::Device device, int64_t capacity) : impl_(std::make_unique<Impl>(device)) {
  require_resolved(device, "Timeline");  // its events go on the stream of device.index()
  impl_->marks.resize(capacity);
#ifdef SHISHU_HAS_CUDA
  if (device.is_cuda()) {
    impl_->start_event = std::make_unique<at::cuda::CUDAEvent>(cudaEventDefault);
    impl_->events.reserve(capacity);
    for (int64_t i = 0; i < capacity; ++i) impl_->events.emplace_back(cudaEventDefault);
  }
#endif
}

Timeline::~Timeline() = default;

void Timeline::on_start() {
  impl_->used = 0;
  impl_->host_start = impl_->host_last = std::chrono::steady_clock::now();
#ifdef SHISHU_HAS_CUDA
  if (impl_->device.is_cuda()) {
    impl_->start_event->record(c10::cuda::getCurrentCUDAStream(impl_->device.index()));
    return;
  }
#endif
  impl_->start = std::chrono::steady_clock::now();
}

void Timeline::on_token(int64_t index) {
  if (index >= static_cast<int64_t>(impl_->marks.size())) throw std::out_of_range("Timeline capacity exceeded");
  impl_->used = std::max(impl_->used, index + 1);
#ifdef SHISHU_HAS_CUDA
  if (impl_->device.is_cuda()) {
    if (impl_->slowdown > 0 && index < static_cast<int64_t>(impl_->previous_ms.size())) {
      const c10::cuda::CUDAGuard on_device(impl_->device.index());  // sleep() queues on the current stream
      at::cuda::sleep(static_cast<int64_t>(impl_->slowdown * impl_->previous_ms[index] * impl_->cycles_per_ms));
    }
    impl_->events[index].record(c10::cuda::getCurrentCUDAStream(impl_->device.index()));
    impl_->host_last = std::chrono::steady_clock::now();
    return;
  }
#endif
  auto now = std::chrono::steady_clock::now();
  if (impl_->slowdown > 0) {
    // Spinning, not sleeping: a sleep would hand the core to the OS scheduler and add
    // its wake-up latency on top of the intended delay.
    const auto previous = index == 0 ? impl_->start : impl_->marks[index - 1];
    const auto until = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>((now - previous) * impl_->slowdown);
    while ((now = std::chrono::steady_clock::now()) < until) {
    }
  }
  impl_->marks[index] = now;
  impl_->host_last = now;
}

double Timeline::host_span_ms() const {
  return std::chrono::duration<double, std::milli>(impl_->host_last - impl_->host_start).count();
}

void Timeline::inject_slowdown(double fraction) {
  impl_->slowdown = fraction;
#ifdef SHISHU_HAS_CUDA
  if (impl_->device.is_cuda() && fraction > 0) {
    // The spin's rate: 50 M cycles (about 25 ms at 2 GHz) between two events.
    constexpr int64_t kCycles = 50'000'000;
    const c10::cuda::CUDAGuard on_device(impl_->device.index());
    at::cuda::CUDAEvent begin(cudaEventDefault), end(cudaEventDefault);
    const auto stream = c10::cuda::getCurrentCUDAStream(impl_->device.index());
    begin.record(stream);
    at::cuda::sleep(kCycles);
    end.record(stream);
    synchronize(impl_->device);
    impl_->cycles_per_ms = kCycles / begin.elapsed_time(end);
  }
#endif
}

std::vector<double> Timeline::read_ms() {
  std::vector<double> out(impl_->used);
#ifdef SHISHU_HAS_CUDA
  if (impl_->device.is_cuda()) {
    // One synchronisation for the whole region: reading an event before its work is
    // done would be an error, and syncing per mark would perturb what we measure.
    synchronize(impl_->device);
    for (int64_t i = 0; i < impl_->used; ++i) out[i] = impl_->start_event->elapsed_time(impl_->events[i]);
    impl_->previous_ms.resize(out.size());  // each interval, for the next repetition's slowdown
    for (size_t i = 0; i < out.size(); ++i) impl_->previous_ms[i] = out[i] - (i ? out[i - 1] : 0.0);
    return out;
  }
#endif
  for (int64_t i = 0; i < impl_->used; ++i) {
    out[i] = std::chrono::duration<double, std::milli>(impl_->marks[i] - impl_->start).count();
  }
  return out;
}

void synchronize(c10::Device device) {
#ifdef SHISHU_HAS_CUDA
  if (device.is_cuda()) c10::cuda::device_synchronize();
#endif
}

}  // namespace shishu::bench
