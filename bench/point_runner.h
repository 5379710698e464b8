// Runs the phases of one point on LibTorch: builds (or reuses) the model, makes the
// inputs, warms up, times one repetition at a time, and derives the figures.
#pragma once
#include <map>
#include <memory>
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

  // Why the point cannot run here (e.g. CUDA graphs on the CPU), or "" if it can.
  static std::string skip_reason(const Point& p);

  void prepare(const Point& p);                       // build, inputs, warm-up; throws on failure
  void measure(const Point& p, PointResult& result);  // one timed repetition
  void finish(const Point& p, PointResult& result);   // memory, derived figures, optional profile
  void release();                                     // drop model and buffers

  const DeviceInfo& device_info(const std::string& device);
  // From here on, finish() runs one more untimed pass of each CUDA point with PyTorch's
  // allocator history recorded, and writes its snapshot into `dir` (bench/memory_snapshot.h).
  void record_memory_snapshots(std::string dir);
  // Measures the device's copy and matmul ceilings (bench/ceilings.h) for each matmul
  // dtype, once; finish() then sets every point against them as well.
  void measure_ceilings(const std::string& device, const std::vector<c10::ScalarType>& matmul_dtypes);
  // The environment readings around each point on `device` (bench/environment.h).
  EnvironmentMonitor& monitor(const std::string& device);

  struct State;  // opaque: LibTorch objects stay out of this header

 private:
  std::unique_ptr<State> state_;
};

// "oom" for allocation failures (CUDA or host), "error" otherwise.
Status classify_failure(const std::exception& e);

}  // namespace shishu::bench
