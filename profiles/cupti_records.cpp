#include "profiles/cupti_records.h"

#include <cupti.h>

#include <cstring>
#include <map>

namespace shishu::profiles {
namespace {

std::string runtime_api_name(uint32_t cbid) {
  const char* name = nullptr;
  if (cuptiGetCallbackName(CUPTI_CB_DOMAIN_RUNTIME_API, cbid, &name) == CUPTI_SUCCESS && name) {
    std::string s = name;
    const auto version = s.find("_v");  // "cudaLaunchKernel_v7000" -> "cudaLaunchKernel"
    return version == std::string::npos ? s : s.substr(0, version);
  }
  return "cuda_runtime_" + std::to_string(cbid);
}

const char* memcpy_name(uint8_t copy_kind) {
  switch (copy_kind) {
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOD: return "memcpy HtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOH: return "memcpy DtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOD: return "memcpy DtoD";
    default: return "memcpy";
  }
}

// Open NVTX start markers, by id, until their end marker arrives (possibly in a later buffer).
std::map<uint64_t, TraceEvent>& open_markers() {
  static std::map<uint64_t, TraceEvent> open;
  return open;
}

}  // namespace

size_t append_cupti_records(uint8_t* buffer, size_t valid_bytes, Trace& trace) {
  CUpti_Activity* record = nullptr;
  size_t count = 0;
  while (cuptiActivityGetNextRecord(buffer, valid_bytes, &record) == CUPTI_SUCCESS) {
    ++count;
    TraceEvent e;
    switch (record->kind) {
      case CUPTI_ACTIVITY_KIND_KERNEL:
      case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: {
        const auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(record);
        e = {TraceEvent::Kind::kKernel, k->name ? k->name : "kernel", int64_t(k->start), int64_t(k->end),
             int64_t(k->streamId), k->correlationId, 0};
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMCPY: {
        const auto* m = reinterpret_cast<const CUpti_ActivityMemcpy6*>(record);
        e = {TraceEvent::Kind::kMemcpy, memcpy_name(m->copyKind), int64_t(m->start), int64_t(m->end),
             int64_t(m->streamId), m->correlationId, int64_t(m->bytes)};
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMSET: {
        const auto* m = reinterpret_cast<const CUpti_ActivityMemset4*>(record);
        e = {TraceEvent::Kind::kMemset, "memset", int64_t(m->start), int64_t(m->end), int64_t(m->streamId),
             m->correlationId, int64_t(m->bytes)};
        break;
      }
      case CUPTI_ACTIVITY_KIND_RUNTIME: {
        const auto* a = reinterpret_cast<const CUpti_ActivityAPI*>(record);
        const std::string name = runtime_api_name(a->cbid);
        const bool graph = name.rfind("cudaGraphLaunch", 0) == 0;
        e = {graph ? TraceEvent::Kind::kGraphLaunch : TraceEvent::Kind::kLaunch, name, int64_t(a->start),
             int64_t(a->end), int64_t(a->threadId), a->correlationId, 0};
        break;
      }
      case CUPTI_ACTIVITY_KIND_MARKER: {
        const auto* m = reinterpret_cast<const CUpti_ActivityMarker2*>(record);
        if (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_START) {
          open_markers()[m->id] = {TraceEvent::Kind::kMarker, m->name ? m->name : "nvtx", int64_t(m->timestamp),
                                   int64_t(m->timestamp), int64_t(m->objectId.pt.threadId), 0, 0};
        } else if (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_END) {
          auto it = open_markers().find(m->id);
          if (it != open_markers().end()) {
            it->second.end_ns = int64_t(m->timestamp);
            trace.events.push_back(it->second);
            open_markers().erase(it);
          }
        }
        continue;
      }
      default:
        continue;
    }
    trace.events.push_back(std::move(e));
  }
  return count;
}

void finish_markers(Trace& trace) {
  // Ranges still open at the end of the pass are dropped: they never closed.
  trace.dropped_records += static_cast<int64_t>(open_markers().size());
  open_markers().clear();
}

}  // namespace shishu::profiles
