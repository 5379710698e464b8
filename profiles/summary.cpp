#include "profiles/summary.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace shishu::profiles {
namespace {

using Kind = TraceEvent::Kind;

// Total length of the union of intervals.
double union_ms(std::vector<std::pair<int64_t, int64_t>> spans) {
  std::sort(spans.begin(), spans.end());
  int64_t total = 0, cur_start = 0, cur_end = -1;
  bool open = false;
  for (const auto& [s, e] : spans) {
    if (!open || s > cur_end) {
      if (open) total += cur_end - cur_start;
      cur_start = s;
      cur_end = e;
      open = true;
    } else {
      cur_end = std::max(cur_end, e);
    }
  }
  if (open) total += cur_end - cur_start;
  return total / 1e6;
}

struct WorkItem {
  int64_t host_time;  // when the host issued it (launch call start, or the op's own start)
  int64_t start, end;  // when it ran
  const std::string* name;
};

}  // namespace

ProfileSummary summarize_trace(const Trace& trace) {
  ProfileSummary s;
  s.source = trace.source;
  s.dropped_records = trace.dropped_records;
  const bool device_trace = std::any_of(trace.events.begin(), trace.events.end(),
                                        [](const TraceEvent& e) { return e.kind == Kind::kKernel; });
  s.work_unit = device_trace ? "kernels" : "operators";

  // Work items. On a device trace: kernels, placed on the host by the launch call that
  // shares their correlation id (a graph's kernels all map to its cudaGraphLaunch). On a
  // CPU trace: operators not nested in another operator, so aten::linear and the
  // aten::mm inside it count once.
  std::vector<WorkItem> work;
  if (device_trace) {
    std::unordered_map<uint32_t, int64_t> launch_time;
    for (const auto& e : trace.events) {
      if (e.kind == Kind::kLaunch || e.kind == Kind::kGraphLaunch) launch_time[e.correlation] = e.start_ns;
      if (e.kind == Kind::kGraphLaunch) ++s.graph_launches;
    }
    for (const auto& e : trace.events) {
      if (e.kind != Kind::kKernel) continue;
      auto it = launch_time.find(e.correlation);
      work.push_back({it == launch_time.end() ? e.start_ns : it->second, e.start_ns, e.end_ns, &e.name});
    }
  } else {
    std::vector<const TraceEvent*> ops;
    for (const auto& e : trace.events) {
      if (e.kind == Kind::kOp) ops.push_back(&e);
    }
    std::sort(ops.begin(), ops.end(), [](const TraceEvent* a, const TraceEvent* b) {
      return a->start_ns != b->start_ns ? a->start_ns < b->start_ns : a->end_ns > b->end_ns;
    });
    std::map<int64_t, int64_t> open_until;  // per thread: end of the enclosing top-level op
    for (const TraceEvent* e : ops) {
      auto& until = open_until[e->track];
      if (e->start_ns < until) continue;  // nested inside a top-level op
      until = e->end_ns;
      work.push_back({e->start_ns, e->start_ns, e->end_ns, &e->name});
    }
  }
  s.work_items = static_cast<int64_t>(work.size());
  std::sort(work.begin(), work.end(), [](const WorkItem& a, const WorkItem& b) { return a.host_time < b.host_time; });

  // Ranges by name.
  std::map<std::string, std::vector<const TraceEvent*>> ranges;
  for (const auto& e : trace.events) {
    if (e.kind == Kind::kRange) ranges[e.name].push_back(&e);
  }
  auto items_in = [&](const TraceEvent& r, double* busy) {
    auto lo = std::lower_bound(work.begin(), work.end(), r.start_ns,
                               [](const WorkItem& w, int64_t t) { return w.host_time < t; });
    int64_t n = 0;
    for (auto it = lo; it != work.end() && it->host_time <= r.end_ns; ++it, ++n) {
      if (busy) *busy += (it->end - it->start) / 1e6;
    }
    return n;
  };
  auto mean_items = [&](const char* name) {
    auto it = ranges.find(name);
    if (it == ranges.end() || it->second.empty()) return -1.0;
    double total = 0;
    for (const auto* r : it->second) total += static_cast<double>(items_in(*r, nullptr));
    return total / static_cast<double>(it->second.size());
  };
  s.per_forward = mean_items(kForwardRange);
  s.per_prefill = mean_items(kPrefillRange);
  s.per_decode_step = mean_items(kDecodeStepRange);
  s.per_attention_layer = mean_items(kAttentionLayerRange);
  s.per_mlp_only_layer = mean_items(kMlpOnlyLayerRange);
  for (const auto& [name, calls, busy, host] :
       {std::tuple{kAttentionLayerRange, &s.attention_layer_calls, &s.attention_layer_busy_ms, &s.attention_layer_host_ms},
        std::tuple{kMlpOnlyLayerRange, &s.mlp_only_layer_calls, &s.mlp_only_layer_busy_ms, &s.mlp_only_layer_host_ms}}) {
    auto it = ranges.find(name);
    if (it == ranges.end()) continue;
    for (const auto* r : it->second) {
      ++*calls;
      *host += (r->end_ns - r->start_ns) / 1e6;
      items_in(*r, busy);
    }
  }

  // Wall time: the pass range if present, else the span of all events.
  int64_t first = INT64_MAX, last = INT64_MIN;
  if (auto it = ranges.find(kPassRange); it != ranges.end()) {
    for (const auto* r : it->second) {
      first = std::min(first, r->start_ns);
      last = std::max(last, r->end_ns);
    }
  } else {
    for (const auto& e : trace.events) {
      first = std::min(first, e.start_ns);
      last = std::max(last, e.end_ns);
    }
  }
  s.wall_ms = last > first ? (last - first) / 1e6 : 0;
  std::vector<std::pair<int64_t, int64_t>> spans;
  for (const auto& w : work) spans.push_back({w.start, w.end});
  s.busy_ms = union_ms(spans);
  s.busy_fraction = s.wall_ms > 0 ? s.busy_ms / s.wall_ms : 0;

  std::map<std::string, KernelStat> by_name;
  for (const auto& w : work) {
    auto& k = by_name[*w.name];
    k.name = *w.name;
    ++k.count;
    k.total_ms += (w.end - w.start) / 1e6;
  }
  for (auto& [name, k] : by_name) s.top.push_back(k);
  std::sort(s.top.begin(), s.top.end(), [](const KernelStat& a, const KernelStat& b) { return a.total_ms > b.total_ms; });
  if (s.top.size() > 10) s.top.resize(10);
  return s;
}

}  // namespace shishu::profiles
