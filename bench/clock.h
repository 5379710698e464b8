// Timing that is honest on both devices. On the CPU, LibTorch ops run synchronously,
// so a steady clock read after an op measures it. On CUDA, ops only enqueue kernels:
// CUDA events are recorded into the stream between them, and the device is
// synchronised once, after the measured region, before the events are read.
#pragma once
#include <c10/core/Device.h>

#include <memory>
#include <vector>

#include "models/generate.h"

namespace shishu::bench {

// Marks points in time on a device's current stream; read them after the region.
class Timeline : public models::TokenObserver {
 public:
  Timeline(c10::Device device, int64_t capacity);  // capacity: marks after the start
  ~Timeline() override;

  void on_start() override;               // the reference mark
  void on_token(int64_t index) override;  // mark `index` (0-based)
  // Synchronises (on CUDA), then returns each mark's milliseconds since the start.
  std::vector<double> read_ms();
  // Host milliseconds from on_start() until the last mark was queued. On the CPU the
  // same as the last mark; on CUDA, near it only when the GPU waited on the host.
  double host_span_ms() const;

  // Testing only (--inject-slowdown): lengthen every interval the clock reports (a
  // forward, TTFT, each decode step) by `fraction`.
  //  CPU:  before each mark, a busy-wait for `fraction` of the time since the previous one.
  //  CUDA: a host wait cannot lengthen a CUDA-event interval, so before each mark a
  //        device-side spin (at::cuda::sleep) is queued on the timed stream, for `fraction`
  //        of that interval as the previous repetition measured it (the first repetition
  //        of a point, a warm-up, is not slowed). Cycles are converted to milliseconds by
  //        timing one spin here. Where the host is the bottleneck (eager decode), the
  //        device catches up during the spin, so the total grows by less: as a slower
  //        kernel would make it.
  void inject_slowdown(double fraction);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Waits for all queued work on the device (no-op on the CPU).
void synchronize(c10::Device device);

}  // namespace shishu::bench
