// Profile summaries on hand-built traces with known answers, and CUPTI record handling
// on synthetic activity buffers (CUPTI parses buffers without a GPU).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>

#include "profiles/summary.h"
#include "profiles/trace.h"

#ifdef SHISHU_HAS_CUPTI
#include <cupti.h>

#include "profiles/cupti_records.h"
#endif

using namespace shishu::profiles;
using Kind = TraceEvent::Kind;

namespace {

// Two decode steps on a device: step 1 issues 3 kernels, step 2 one graph launch
// whose graph runs 2 kernels. One attention layer range and one MLP-only range.
Trace device_trace() {
  Trace t;
  t.source = "cupti";
  auto add = [&](Kind k, const char* name, int64_t s, int64_t e, uint32_t corr = 0, int64_t track = 1) {
    t.events.push_back({k, name, s, e, track, corr, 0});
  };
  add(Kind::kRange, kPassRange, 0, 10'000'000);
  add(Kind::kRange, kDecodeStepRange, 1'000'000, 4'000'000);
  add(Kind::kRange, kAttentionLayerRange, 1'000'000, 2'000'000);
  add(Kind::kRange, kMlpOnlyLayerRange, 2'000'000, 3'000'000);
  add(Kind::kLaunch, "cudaLaunchKernel", 1'100'000, 1'200'000, 1);
  add(Kind::kLaunch, "cudaLaunchKernel", 1'300'000, 1'400'000, 2);
  add(Kind::kLaunch, "cudaLaunchKernel", 2'100'000, 2'200'000, 3);
  add(Kind::kKernel, "gemm", 1'500'000, 2'500'000, 1, 7);   // 1.0 ms
  add(Kind::kKernel, "gemm", 2'500'000, 3'000'000, 2, 7);   // 0.5 ms, back to back with the first
  add(Kind::kKernel, "silu", 3'500'000, 3'600'000, 3, 7);   // 0.1 ms, issued inside the MLP-only layer
  add(Kind::kRange, kDecodeStepRange, 5'000'000, 8'000'000);
  add(Kind::kGraphLaunch, "cudaGraphLaunch", 5'100'000, 5'200'000, 4);
  add(Kind::kKernel, "gemm", 6'000'000, 7'000'000, 4, 7);   // 1.0 ms
  add(Kind::kKernel, "argmax", 6'500'000, 7'500'000, 4, 8); // overlaps on another stream
  t.dropped_records = 3;
  return t;
}

}  // namespace

TEST(ProfileSummary, CountsKernelsPerStepThroughLaunchCorrelation) {
  const ProfileSummary s = summarize_trace(device_trace());
  EXPECT_EQ(s.work_unit, "kernels");
  EXPECT_EQ(s.work_items, 5);
  EXPECT_DOUBLE_EQ(s.per_decode_step, (3 + 2) / 2.0);
  EXPECT_EQ(s.per_forward, -1);  // no forward range
  EXPECT_EQ(s.graph_launches, 1);
  EXPECT_EQ(s.dropped_records, 3);
}

TEST(ProfileSummary, BusyTimeIsTheUnionOfKernelIntervals) {
  const ProfileSummary s = summarize_trace(device_trace());
  // [1.5, 3.0] + [3.5, 3.6] + [6.0, 7.5] = 1.5 + 0.1 + 1.5 ms, over a 10 ms pass.
  EXPECT_NEAR(s.busy_ms, 3.1, 1e-9);
  EXPECT_NEAR(s.wall_ms, 10.0, 1e-9);
  EXPECT_NEAR(s.busy_fraction, 0.31, 1e-9);
  EXPECT_LE(s.busy_ms, s.wall_ms);
}

TEST(ProfileSummary, AttributesWorkToLayerKindsByLaunchTime) {
  const ProfileSummary s = summarize_trace(device_trace());
  EXPECT_EQ(s.attention_layer_calls, 1);
  EXPECT_EQ(s.mlp_only_layer_calls, 1);
  EXPECT_NEAR(s.attention_layer_busy_ms, 1.5, 1e-9);  // the two gemms launched inside it
  EXPECT_NEAR(s.mlp_only_layer_busy_ms, 0.1, 1e-9);   // silu, launched inside it, runs after it
  EXPECT_NEAR(s.attention_layer_host_ms, 1.0, 1e-9);
  ASSERT_FALSE(s.top.empty());
  EXPECT_EQ(s.top[0].name, "gemm");
  EXPECT_EQ(s.top[0].count, 3);
  EXPECT_NEAR(s.top[0].total_ms, 2.5, 1e-9);
}

TEST(ProfileSummary, CpuOperatorsCountOnlyAtTopLevel) {
  Trace t;
  t.events = {{Kind::kRange, kForwardRange, 0, 100, 1, 0, 0},
              {Kind::kOp, "aten::linear", 10, 50, 1, 0, 0},
              {Kind::kOp, "aten::matmul", 12, 48, 1, 0, 0},  // inside linear
              {Kind::kOp, "aten::mm", 13, 47, 1, 0, 0},      // inside matmul
              {Kind::kOp, "aten::add", 60, 70, 1, 0, 0}};
  const ProfileSummary s = summarize_trace(t);
  EXPECT_EQ(s.work_unit, "operators");
  EXPECT_EQ(s.work_items, 2);
  EXPECT_DOUBLE_EQ(s.per_forward, 2);
  EXPECT_NEAR(s.busy_ms, 50e-6, 1e-12);
}

TEST(ChromeTrace, IsValidTraceEventJson) {
  const auto doc = nlohmann::json::parse(chrome_trace_json(device_trace()));
  ASSERT_TRUE(doc.contains("traceEvents"));
  int complete = 0, device = 0;
  for (const auto& e : doc["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph") && e.contains("pid") && e.contains("name"));
    if (e["ph"] == "X") {
      ++complete;
      EXPECT_GE(e["ts"].get<double>(), 0.0);
      EXPECT_GE(e["dur"].get<double>(), 0.0);
      device += e["pid"] == 0;
    }
  }
  EXPECT_EQ(complete, 14);
  EXPECT_EQ(device, 5);  // kernels on the device process, one track per stream
  EXPECT_EQ(doc["otherData"]["dropped_records"], 3);
}

#ifdef SHISHU_HAS_CUPTI
TEST(CuptiRecords, SyntheticBufferBecomesEvents) {
  alignas(8) static uint8_t buffer[4096];
  size_t used = 0;
  auto put = [&](const auto& record) {
    std::memcpy(buffer + used, &record, sizeof record);
    used += sizeof record;
  };
  CUpti_ActivityKernel10 kernel{};
  kernel.kind = CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL;
  kernel.start = 1000;
  kernel.end = 3000;
  kernel.streamId = 7;
  kernel.correlationId = 42;
  kernel.name = "ampere_sgemm";
  put(kernel);
  CUpti_ActivityAPI launch{};
  launch.kind = CUPTI_ACTIVITY_KIND_RUNTIME;
  launch.cbid = CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000;
  launch.start = 500;
  launch.end = 600;
  launch.correlationId = 42;
  put(launch);
  CUpti_ActivityAPI graph = launch;
  graph.cbid = CUPTI_RUNTIME_TRACE_CBID_cudaGraphLaunch_v10000;
  graph.correlationId = 43;
  put(graph);
  CUpti_ActivityMemcpy6 copy{};
  copy.kind = CUPTI_ACTIVITY_KIND_MEMCPY;
  copy.copyKind = CUPTI_ACTIVITY_MEMCPY_KIND_HTOD;
  copy.bytes = 4096;
  copy.start = 100;
  copy.end = 200;
  put(copy);
  CUpti_ActivityMemset4 set{};
  set.kind = CUPTI_ACTIVITY_KIND_MEMSET;
  set.bytes = 64;
  put(set);
  CUpti_ActivityMarker2 begin{};
  begin.kind = CUPTI_ACTIVITY_KIND_MARKER;
  begin.flags = CUPTI_ACTIVITY_FLAG_MARKER_START;
  begin.id = 9;
  begin.timestamp = 400;
  begin.name = "decode_step";
  put(begin);
  CUpti_ActivityMarker2 end{};
  end.kind = CUPTI_ACTIVITY_KIND_MARKER;
  end.flags = CUPTI_ACTIVITY_FLAG_MARKER_END;
  end.id = 9;
  end.timestamp = 3500;
  put(end);
  CUpti_ActivityMarker2 unclosed = begin;
  unclosed.id = 10;
  put(unclosed);

  Trace t;
  EXPECT_EQ(append_cupti_records(buffer, used, t), 8u);
  finish_markers(t);
  ASSERT_EQ(t.events.size(), 6u);
  EXPECT_EQ(t.events[0].kind, Kind::kKernel);
  EXPECT_EQ(t.events[0].name, "ampere_sgemm");
  EXPECT_EQ(t.events[0].track, 7);
  EXPECT_EQ(t.events[0].correlation, 42u);
  EXPECT_EQ(t.events[1].kind, Kind::kLaunch);
  EXPECT_EQ(t.events[1].name, "cudaLaunchKernel");
  EXPECT_EQ(t.events[2].kind, Kind::kGraphLaunch);
  EXPECT_EQ(t.events[3].name, "memcpy HtoD");
  EXPECT_EQ(t.events[3].bytes, 4096);
  EXPECT_EQ(t.events[4].kind, Kind::kMemset);
  EXPECT_EQ(t.events[5].kind, Kind::kMarker);
  EXPECT_EQ(t.events[5].name, "decode_step");
  EXPECT_EQ(t.events[5].end_ns - t.events[5].start_ns, 3100);
  EXPECT_EQ(t.dropped_records, 1);  // the range that never closed

  const ProfileSummary s = summarize_trace(t);
  EXPECT_EQ(s.work_items, 1);
  EXPECT_EQ(s.graph_launches, 1);
}
#endif
