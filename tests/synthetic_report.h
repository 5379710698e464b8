// A report made in memory, for tests of the report tools: an H100 bf16 context that
// matches itself in every field the context guard reads.
#pragma once
#include <string>
#include <vector>

#include "reports/loaded_report.h"

namespace shishu::testing {

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
