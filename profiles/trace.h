// A profiled pass as plain events, and its Chrome trace-event JSON (which Perfetto and
// chrome://tracing open). Torch-free and CUPTI-free: the tracers fill it in, the
// summary and the writer read it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace shishu::profiles {

struct TraceEvent {
  enum class Kind {
    kRange,        // a named phase or layer range on the host (NVTX / RecordFunction user scope)
    kOp,           // a LibTorch operator on the host (CPU traces)
    kLaunch,       // a CUDA runtime API call on the host (cudaLaunchKernel, ...)
    kGraphLaunch,  // a cudaGraphLaunch call on the host
    kKernel,       // a kernel on the device
    kMemcpy,
    kMemset,
    kMarker,       // an NVTX range seen by CUPTI
  };
  Kind kind = Kind::kRange;
  std::string name;
  int64_t start_ns = 0, end_ns = 0;  // one clock for the whole trace
  int64_t track = 0;                 // host thread id, or device stream id
  uint32_t correlation = 0;          // links a device record to the host call that issued it
  int64_t bytes = 0;                 // memcpy / memset

  bool on_device() const { return kind == Kind::kKernel || kind == Kind::kMemcpy || kind == Kind::kMemset; }
};

std::string to_string(TraceEvent::Kind kind);

struct Trace {
  std::string source;  // "cupti" or "record_function" (the CPU operator tracer)
  std::string device;  // e.g. "NVIDIA H100 80GB HBM3" or "cpu"
  std::vector<TraceEvent> events;
  int64_t dropped_records = 0;  // records the tracer reported lost: never silently ignored
};

// Chrome trace-event JSON: complete ("X") events in microseconds relative to the first
// event, the host on process 1 (one track per thread) and the device on process 0
// (one track per stream), named with metadata events.
std::string chrome_trace_json(const Trace& trace);

}  // namespace shishu::profiles
