// A report made in memory, for tests of the report tools: an H100 bf16 context that
// matches itself in every field the context guard reads.
#pragma once
#include <string>
#include <vector>

#include "reports/loaded_report.h"

namespace shishu::testing {

// A point of `phase` with the given shape, its other axes parsed as a preset's would be.
inline bench::Point make_point(const std::string& phase, const std::string& model, bench::Shape shape,
                               const char* dtype = "bf16", const char* device = "cuda") {
  bench::Point p;
  p.model = model;
  p.phase = phase;
  p.shape = std::move(shape);
  p.dtype = models::parse_dtype_name(dtype);
  p.device = base::DeviceName::parse(device);
  return p;
}

// A forward point at 64 tokens on an H100 with its latency samples and peak memory.
inline bench::PointResult forward_point(const std::string& model, std::vector<double> latency, double memory = 1e9) {
  bench::PointResult r;
  r.point = make_point("forward", model, {{bench::Axis::kBatch, 1}, {bench::Axis::kSeq, 64}});
  for (double v : latency) r.add_sample("latency_ms", v);
  r.set_value("cuda_peak_allocated_bytes", memory);
  return r;
}

inline reports::LoadedReport synthetic(const std::vector<bench::PointResult>& points, const std::string& name = "r.json") {
  reports::LoadedReport r;
  r.path = name;
  r.context = {{"devices", {{{"device", "cuda"}, {"name", "NVIDIA H100 80GB HBM3"}, {"driver_version", "13.0"}}}},
               {"libtorch_version", "2.11.0"},
               {"build_type", "Release"},
               {"compiler", "GNU 12.2.0"},
               {"dtypes", {"bf16"}},
               {"preset", "ci-gpu"},
               {"settings", {{"warmup", 1}, {"repetitions", 1}, {"seed", 0}}},
               {"git_commit", "abc"},
               {"shard", "0/1"}};
  r.points = points;
  return r;
}

}  // namespace shishu::testing
