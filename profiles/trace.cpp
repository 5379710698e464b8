#include "base/utf8.h"
#include "profiles/trace.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <set>

namespace shishu::profiles {

std::string to_string(TraceEvent::Kind kind) {
  switch (kind) {
    case TraceEvent::Kind::kRange: return "range";
    case TraceEvent::Kind::kOp: return "op";
    case TraceEvent::Kind::kLaunch: return "cuda_runtime";
    case TraceEvent::Kind::kGraphLaunch: return "cuda_graph_launch";
    case TraceEvent::Kind::kKernel: return "kernel";
    case TraceEvent::Kind::kMemcpy: return "memcpy";
    case TraceEvent::Kind::kMemset: return "memset";
    case TraceEvent::Kind::kMarker: return "nvtx";
  }
  return "other";
}

std::string chrome_trace_json(const Trace& trace) {
  constexpr int kDevicePid = 0, kHostPid = 1;
  int64_t origin = std::numeric_limits<int64_t>::max();
  for (const auto& e : trace.events) origin = std::min(origin, e.start_ns);
  if (trace.events.empty()) origin = 0;
  nlohmann::json events = nlohmann::json::array();
  std::set<std::pair<int, int64_t>> tracks;
  for (const auto& e : trace.events) {
    const int pid = e.on_device() ? kDevicePid : kHostPid;
    tracks.insert({pid, e.track});
    nlohmann::json ev = {{"name", e.name},
                         {"cat", to_string(e.kind)},
                         {"ph", "X"},
                         {"ts", double(e.start_ns - origin) / 1e3},
                         {"dur", double(std::max<int64_t>(e.end_ns - e.start_ns, 0)) / 1e3},
                         {"pid", pid},
                         {"tid", e.track}};
    if (e.correlation) ev["args"]["correlation"] = e.correlation;
    if (e.bytes) ev["args"]["bytes"] = e.bytes;
    events.push_back(std::move(ev));
  }
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", kHostPid}, {"args", {{"name", "CPU (host)"}}}});
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", kDevicePid}, {"args", {{"name", "GPU " + trace.device}}}});
  for (const auto& [pid, tid] : tracks) {
    const std::string name = pid == kDevicePid ? "stream " + std::to_string(tid) : "thread " + std::to_string(tid);
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}});
  }
  nlohmann::json doc = {{"traceEvents", events},
                        {"displayTimeUnit", "ms"},
                        {"otherData", {{"source", trace.source}, {"device", trace.device},
                                       {"dropped_records", trace.dropped_records}}}};
  return base::json_text(doc);
}

}  // namespace shishu::profiles
