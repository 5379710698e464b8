// shishu-report's pieces: efficiency tables against golden files, shard merging, and the
// architecture comparison against hand arithmetic on the paper's tables. The regression
// gate has its own suite (test_gate.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "bench/metrics.h"
#include "reports/arch_compare.h"
#include "reports/efficiency_tables.h"
#include "reports/merge.h"
#include "reports/report_json.h"
#include "synthetic_report.h"

using namespace shishu;
using namespace shishu::reports;
using shishu::testing::synthetic;

namespace {

const std::string kData = SHISHU_TEST_DATA;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bench::PointResult generate_point(const std::string& model, std::vector<double> latency, double memory) {
  bench::PointResult r;
  r.point = shishu::testing::make_point(
      "generate", model, {{bench::Axis::kBatch, 1}, {bench::Axis::kPrefill, 2048}, {bench::Axis::kGen, 128}});
  for (double v : latency) r.add_sample("latency_ms", v);
  r.set_value("cuda_peak_allocated_bytes", memory);
  return r;
}

}  // namespace

TEST(Tables, MatchGoldenFilesInEveryFormat) {
  const LoadedReport fixture = load_report(kData + "/fixture-report.json");
  for (const char* format : {"markdown", "csv", "latex"}) {
    const std::string golden = slurp(kData + "/golden/tables." + format);
    ASSERT_FALSE(golden.empty()) << format;
    EXPECT_EQ(render(efficiency_tables(fixture), parse_table_format(format)), golden) << format;
  }
}

TEST(Tables, FailedAndMissingPointsAreNeverNumbers) {
  const auto tables = efficiency_tables(load_report(kData + "/fixture-report.json"), {"forward", "forward_backward"});
  ASSERT_EQ(tables.size(), 2u);
  // forward: shishulm-125m-s t64 was deleted from the fixture.
  EXPECT_EQ(tables[0].table.rows[2], (std::vector<std::string>{"shishulm-125m-s", "missing", tables[0].table.rows[2][2]}));
  EXPECT_EQ(tables[1].table.rows[2][2], "oom");
  EXPECT_THROW(efficiency_tables(load_report(kData + "/fixture-report.json"), {"tabel6"}), std::invalid_argument);
  EXPECT_THROW(parse_table_format("html"), std::invalid_argument);
}

TEST(Merge, RefusesDifferentSweepsAndDisagreeingOverlaps) {
  auto a = synthetic({generate_point("a", {1, 2}, 1)}, "a.json");
  auto b = synthetic({generate_point("b", {1, 2}, 1)}, "b.json");
  a.context["shard"] = "0/2";
  b.context["shard"] = "1/2";
  EXPECT_EQ(merge_reports({a, b}).report["points"].size(), 2u);
  auto other_build = b;
  other_build.context["git_commit"] = "def";
  try {
    merge_reports({a, other_build});
    ADD_FAILURE() << "merged shards of different builds";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'git_commit' differs"), std::string::npos) << e.what();
  }
  auto clash = synthetic({generate_point("a", {1, 3}, 1)}, "c.json");
  clash.context["shard"] = "1/2";
  EXPECT_THROW(merge_reports({a, clash}), std::invalid_argument);
  auto same = a;
  same.path = "a-copy.json";
  same.context["shard"] = "1/2";
  EXPECT_EQ(merge_reports({a, same}).report["points"].size(), 1u);  // identical overlap is fine
}

TEST(Arch, PaperFiguresAreComputedOverTheSameSweptValues) {
  const std::string text = architecture_comparison(load_report(kData + "/fixture-report.json"));
  // Paper Table 6, shishulm-125m over mobilellm-125m at seq 64 and 128:
  const double ratio = std::sqrt((25.713 / 33.838) * (25.974 / 33.673));
  char expected[32];
  std::snprintf(expected, sizeof expected, "/ %+.1f%%", (1 - ratio) * 100);
  EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  // Throughput, paper Table 10 at batch 1 and 2.
  const double tput = std::sqrt((91.25 / 70.89) * (155.71 / 119.93));
  std::snprintf(expected, sizeof expected, "/ %.2fx", tput);
  EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  EXPECT_NE(text.find("15,360 vs 23,040"), std::string::npos);
}

TEST(Tables, ProfileTableListsEveryProfiledPoint) {
  auto r = generate_point("shishulm-125m", {10, 11}, 1e9);
  profiles::ProfileSummary s;
  s.source = "cupti";
  s.work_unit = "kernels";
  s.per_prefill = 420;
  s.per_decode_step = 187;
  s.busy_fraction = 0.25;
  s.wall_ms = 8;
  s.attention_layer_calls = 20;
  s.attention_layer_busy_ms = 1.5;
  s.graph_launches = 0;
  s.dropped_records = 2;
  r.profile = s;
  const auto tables = efficiency_tables(synthetic({r, generate_point("mobilellm-125m", {1, 2}, 1e9)}), {"profile"});
  ASSERT_EQ(tables.size(), 1u);
  ASSERT_EQ(tables[0].table.rows.size(), 1u);  // the unprofiled point has no row
  const auto& row = tables[0].table.rows[0];
  EXPECT_EQ(row[0], r.point.id());
  EXPECT_EQ(row[3], "-");  // no forward range in a generate pass
  EXPECT_EQ(row[5], "187.00");
  EXPECT_EQ(row[6], "25.0% of 8.00 ms");
  EXPECT_EQ(row[7], "1.50 ms / 20");
  EXPECT_EQ(row[10], "2");
  // A profiled report round-trips through JSON with its profile.
  const auto back = point_from_json(point_to_json(r));
  ASSERT_TRUE(back.profile.has_value());
  EXPECT_EQ(back.profile->per_decode_step, 187);
  EXPECT_EQ(back.profile->per_forward, -1);
}

// A CUDA figure whose host issue time filled 90% or more of its interval is marked (L),
// and the caption says what that means.
TEST(Tables, LaunchBoundCellsAreMarked) {
  auto fast = shishu::testing::forward_point("mobilellm-125m", {1.0, 1.1});
  auto slow = shishu::testing::forward_point("shishulm-125m", {1.0, 1.1});
  fast.set_value("host_share_pct", 40);
  slow.set_value("host_share_pct", 95);
  auto other = slow;
  other.point.shape[bench::Axis::kSeq] = 128;
  other.point.model = "mobilellm-125m";
  other.set_value("host_share_pct", 30);
  auto other2 = other;
  other2.point.model = "shishulm-125m";
  const std::string text = render(efficiency_tables(shishu::testing::synthetic({fast, slow, other, other2}), {"forward"}),
                                  parse_table_format("markdown"));
  size_t marks = 0;
  for (size_t at = text.find("(L)"); at != std::string::npos; at = text.find("(L)", at + 1)) ++marks;
  EXPECT_EQ(marks, 2u) << text;  // the one cell, and the caption's key
  EXPECT_NE(text.find("launch-bound"), std::string::npos) << text;
}
