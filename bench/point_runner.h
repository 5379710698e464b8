// Runs the phases of one point on LibTorch: builds (or reuses) the model, makes the
// inputs, warms up, times one repetition at a time, and derives the figures.
#pragma once
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "bench/device_info.h"
#include "bench/environment.h"
#include "bench/result.h"
#include "bench/sweep.h"

namespace shishu::bench {

// For testing the failure paths: points whose id contains a key fail in prepare(),
// with a real allocation the allocator must refuse ("oom"), or an exception ("error"; with
// "error:TEXT", one whose message is TEXT, byte for byte).
using FailureInjection = std::map<std::string, std::string>;

// For measuring the regression gate: every timed interval is lengthened by this
// percentage with a busy-wait inside the timed region (bench/clock.h). 0: off.
struct TestingHooks {
  FailureInjection failures;
  double slowdown_pct = 0;
};

class PointRunner {
 public:
  // profile_dir: when set, finish() runs one extra untimed pass under the profiler and
  // writes its Chrome trace there. weights_file: when set, every model built is loaded
  // from this safetensors checkpoint (already checked against the sweep's models).
  PointRunner(SweepSettings settings, TestingHooks hooks = {}, std::string profile_dir = "",
              std::string weights_file = "");
  ~PointRunner();

  void prepare(const Point& p);                       // build, inputs, warm-up; throws on failure
  void measure(const Point& p, PointResult& result);  // one timed repetition
  void finish(const Point& p, PointResult& result);   // memory, derived figures, optional profile
  void release();                                     // drop model and buffers
  // Throws PointSkipped when the point's predicted peak (with a margin) exceeds the
  // memory its device has left: a point the kernel's OOM killer would end, and the run
  // with it, is recorded as skipped instead.
  void admit(const Point& p, bool new_model);

  const DeviceInfo& device_info(const base::DeviceName& device);
  // From here on, finish() runs one more untimed pass of each CUDA point with PyTorch's
  // allocator history recorded, and writes its snapshot into `dir` (bench/memory_snapshot.h).
  void record_memory_snapshots(std::string dir);
  // Measures the device's copy and matmul ceilings (bench/ceilings.h) for each matmul
  // dtype, once; finish() then sets every point against them as well.
  void measure_ceilings(const base::DeviceName& device, const std::vector<c10::ScalarType>& matmul_dtypes);
  // The environment readings around each point on `device` (bench/environment.h).
  EnvironmentMonitor& monitor(const base::DeviceName& device);

  struct State;  // opaque: LibTorch objects stay out of this header

 private:
  std::unique_ptr<State> state_;
};

// A point refused before it runs, with the reason (its predicted memory does not fit).
struct PointSkipped : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "oom" for allocation failures (CUDA or host), "skipped" for a PointSkipped, "error" otherwise.
Status classify_failure(const std::exception& e);

}  // namespace shishu::bench
