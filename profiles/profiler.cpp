#include "profiles/profiler.h"

#include <ATen/record_function.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#ifdef SHISHU_HAS_CUDA
#include <c10/cuda/CUDAFunctions.h>
#endif
#ifdef SHISHU_HAS_CUPTI
#include <cupti.h>
#include <dlfcn.h>

#include <cstdlib>

#include "profiles/cupti_records.h"
#endif

namespace shishu::profiles {
namespace {

// Host events collected by the RecordFunction callbacks of the active Profiler.
struct HostLog {
  std::mutex mutex;
  std::vector<TraceEvent> events;
  bool use_cupti_clock = false;
};
HostLog* g_log = nullptr;

int64_t host_now_ns() {
#ifdef SHISHU_HAS_CUPTI
  if (g_log && g_log->use_cupti_clock) {
    uint64_t t = 0;
    cuptiGetTimestamp(&t);  // the clock CUPTI stamps device records with
    return static_cast<int64_t>(t);
  }
#endif
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct StartMark : at::ObserverContext {
  int64_t start_ns = 0;
};

std::unique_ptr<at::ObserverContext> on_enter(const at::RecordFunction&) {
  auto ctx = std::make_unique<StartMark>();
  ctx->start_ns = host_now_ns();
  return ctx;
}

void on_exit(const at::RecordFunction& fn, at::ObserverContext* ctx) {
  if (!g_log || !ctx) return;
  const int64_t end = host_now_ns();
  const auto kind = fn.scope() == at::RecordScope::USER_SCOPE ? TraceEvent::Kind::kRange : TraceEvent::Kind::kOp;
  const auto track = static_cast<int64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id()) % 100000);
  std::lock_guard<std::mutex> lock(g_log->mutex);
  g_log->events.push_back({kind, fn.name(), static_cast<StartMark*>(ctx)->start_ns, end, track, 0, 0});
}

#ifdef SHISHU_HAS_CUPTI
constexpr size_t kBufferBytes = 8 << 20;
std::mutex g_cupti_mutex;
Trace* g_cupti_trace = nullptr;

void CUPTIAPI buffer_requested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(8, kBufferBytes));
  *size = kBufferBytes;
  *max_records = 0;  // as many as fit
}

void CUPTIAPI buffer_completed(CUcontext ctx, uint32_t stream, uint8_t* buffer, size_t, size_t valid) {
  {
    std::lock_guard<std::mutex> lock(g_cupti_mutex);
    if (g_cupti_trace) {
      append_cupti_records(buffer, valid, *g_cupti_trace);
      size_t dropped = 0;
      if (cuptiActivityGetNumDroppedRecords(ctx, stream, &dropped) == CUPTI_SUCCESS) {
        g_cupti_trace->dropped_records += static_cast<int64_t>(dropped);
      }
    }
  }
  std::free(buffer);
}

const CUpti_ActivityKind kCuptiKinds[] = {CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY,
                                          CUPTI_ACTIVITY_KIND_MEMSET, CUPTI_ACTIVITY_KIND_RUNTIME,
                                          CUPTI_ACTIVITY_KIND_MARKER};

void check(CUptiResult r, const char* what) {
  if (r == CUPTI_SUCCESS) return;
  const char* s = nullptr;
  cuptiGetResultString(r, &s);
  throw std::runtime_error(std::string("CUPTI ") + what + " failed: " + (s ? s : "unknown error"));
}
#endif

}  // namespace

struct Profiler::Impl {
  explicit Impl(c10::Device d) : device(d) {}
  c10::Device device;
  HostLog log;
  at::CallbackHandle handle = 0;
  Trace cupti;
  bool running = false;
};

Profiler::Profiler(c10::Device device) : impl_(std::make_unique<Impl>(device)) {}

Profiler::~Profiler() {
  if (impl_->running) {
    try {
      stop();
    } catch (...) {
    }
  }
}

bool Profiler::cupti_available() {
#ifdef SHISHU_HAS_CUPTI
  return true;
#else
  return false;
#endif
}

void Profiler::enable_nvtx_injection() {
#ifdef SHISHU_HAS_CUPTI
  Dl_info info{};
  if (!std::getenv("NVTX_INJECTION64_PATH") && dladdr(reinterpret_cast<void*>(&cuptiGetTimestamp), &info) && info.dli_fname) {
    setenv("NVTX_INJECTION64_PATH", info.dli_fname, 0);
  }
#endif
}

void Profiler::start() {
  if (g_log) throw std::logic_error("another Profiler is already running");
  auto& s = *impl_;
  s.log.events.clear();
  s.log.use_cupti_clock = false;
#ifdef SHISHU_HAS_CUPTI
  if (s.device.is_cuda()) {
    s.cupti = Trace{};
    g_cupti_trace = &s.cupti;
    check(cuptiActivityRegisterCallbacks(buffer_requested, buffer_completed), "register callbacks");
    for (auto kind : kCuptiKinds) {
      const CUptiResult r = cuptiActivityEnable(kind);
      if (r != CUPTI_SUCCESS && kind != CUPTI_ACTIVITY_KIND_MARKER) check(r, "enable activity");
    }
    s.log.use_cupti_clock = true;
  }
#endif
  g_log = &s.log;
  s.handle = at::addGlobalCallback(at::RecordFunctionCallback(on_enter, on_exit).needsInputs(false).needsIds(false));
  s.running = true;
}

Trace Profiler::stop() {
  auto& s = *impl_;
  if (!s.running) throw std::logic_error("Profiler::stop without start");
#ifdef SHISHU_HAS_CUDA
  if (s.device.is_cuda()) c10::cuda::device_synchronize();  // every kernel of the pass has ended
#endif
  at::removeCallback(s.handle);
  Trace trace;
  trace.source = "record_function";
  trace.device = s.device.str();
#ifdef SHISHU_HAS_CUPTI
  if (s.device.is_cuda()) {
    cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    for (auto kind : kCuptiKinds) cuptiActivityDisable(kind);
    {
      std::lock_guard<std::mutex> lock(g_cupti_mutex);
      finish_markers(s.cupti);
      g_cupti_trace = nullptr;
    }
    trace.source = "cupti";
    trace.events = std::move(s.cupti.events);
    trace.dropped_records = s.cupti.dropped_records;
  }
#endif
  {
    std::lock_guard<std::mutex> lock(s.log.mutex);
    for (auto& e : s.log.events) {
      // On CUDA the device records carry the kernels; host operator records would only
      // duplicate them, so keep the ranges.
      if (trace.source == "cupti" && e.kind == TraceEvent::Kind::kOp) continue;
      trace.events.push_back(std::move(e));
    }
  }
  g_log = nullptr;
  s.running = false;
  return trace;
}

}  // namespace shishu::profiles
