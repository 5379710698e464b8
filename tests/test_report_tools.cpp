// shishu-report's pieces: efficiency tables against golden files, the Mann-Whitney U
// test against known exact values, the regression gate on synthetic reports, shard
// merging, and the architecture comparison against hand arithmetic on the paper's
// tables.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "bench/metrics.h"
#include "reports/arch_compare.h"
#include "reports/compare.h"
#include "reports/efficiency_tables.h"
#include "reports/mann_whitney.h"
#include "reports/merge.h"
#include "reports/report_json.h"

using namespace shishu;
using namespace shishu::reports;

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
  r.point.model = model;
  r.point.phase = bench::Phase::kGenerate;
  r.point.prefill = 2048;
  r.point.gen = 128;
  r.point.dtype = "bf16";
  r.point.device = "cuda";
  for (double v : latency) r.add_sample("latency_ms", v);
  r.set_value("cuda_peak_allocated_bytes", memory);
  return r;
}

LoadedReport synthetic(const std::vector<bench::PointResult>& points, const std::string& name = "r.json") {
  LoadedReport r;
  r.path = name;
  r.context = {{"devices", {{{"device", "cuda"}, {"name", "NVIDIA H100 80GB HBM3"}}}},
               {"libtorch_version", "2.11.0"},
               {"build_type", "Release"},
               {"dtypes", {"bf16"}},
               {"preset", "ci-gpu"},
               {"git_commit", "abc"},
               {"shard", "0/1"}};
  r.points = points;
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

TEST(MannWhitney, ExactValuesMatchTheNullDistribution) {
  // Complete separation: p = 2 / C(n1+n2, n1).
  EXPECT_NEAR(mann_whitney({1, 2, 3}, {4, 5, 6}).p_two_sided, 2.0 / 20, 1e-12);
  EXPECT_NEAR(mann_whitney({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}).p_two_sided, 2.0 / 252, 1e-12);
  EXPECT_NEAR(mann_whitney({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}).min_attainable_p, 2.0 / 252, 1e-12);
  EXPECT_EQ(mann_whitney({1, 2, 3}, {4, 5, 6}).u, 0);
  EXPECT_EQ(mann_whitney({4, 5, 6}, {1, 2, 3}).u, 9);
  // a = {1, 4}, b = {2, 3}: U = 2 of 4, the centre of the distribution -> p = 1.
  EXPECT_NEAR(mann_whitney({1, 4}, {2, 3}).p_two_sided, 1.0, 1e-12);
  // n = 2 vs 2, U = 1: P(U <= 1) = 2/6, two-sided 4/6.
  EXPECT_NEAR(mann_whitney({1, 3}, {2, 4}).p_two_sided, 4.0 / 6, 1e-12);
  EXPECT_TRUE(mann_whitney({1, 3}, {2, 4}).exact);
  EXPECT_FALSE(mann_whitney({1, 1, 2}, {1, 3, 4}).exact);  // ties: normal approximation
  EXPECT_THROW(mann_whitney({}, {1}), std::invalid_argument);
}

TEST(Compare, TightTenPercentSlowdownIsARegression) {
  const auto base = synthetic({generate_point("shishulm-125m", {100.0, 100.4, 99.8, 100.2, 99.9}, 1e9)});
  const auto slow = synthetic({generate_point("shishulm-125m", {110.1, 110.3, 109.8, 110.0, 110.4}, 1e9)});
  const Comparison c = compare_reports(base, slow, {});
  EXPECT_EQ(c.regressions, 1);
  ASSERT_EQ(c.points.size(), 1u);
  const MetricChange& m = c.points[0].changes[0];
  EXPECT_EQ(m.metric, "latency_ms");
  EXPECT_NEAR(m.change_pct, 10.0, 0.3);
  EXPECT_TRUE(m.tested);
  EXPECT_LT(m.p_value, 0.05);
  EXPECT_EQ(m.word, "slower");
  // The reverse direction is an improvement, not a regression.
  EXPECT_EQ(compare_reports(slow, base, {}).regressions, 0);
  EXPECT_EQ(compare_reports(slow, base, {}).improvements, 1);
}

TEST(Compare, NoiseLevelDifferencesAreNotFlagged) {
  const auto base = synthetic({generate_point("m", {100, 103, 97, 101, 99}, 1e9)});
  const auto noisy = synthetic({generate_point("m", {102, 98, 104, 100, 99.5}, 1e9)});
  EXPECT_EQ(compare_reports(base, noisy, {}).regressions, 0);
  // Beyond the threshold but overlapping samples: not significant, so not flagged.
  const auto wide = synthetic({generate_point("m", {100, 60, 140, 100, 100}, 1e9)});
  const auto wide2 = synthetic({generate_point("m", {108, 70, 150, 105, 110}, 1e9)});
  const Comparison c = compare_reports(wide, wide2, {});
  EXPECT_EQ(c.regressions, 0);
  EXPECT_EQ(c.points[0].changes[0].note, "beyond the threshold but not significant");
}

TEST(Compare, TooFewRepetitionsFallBackToTheThreshold) {
  const auto base = synthetic({generate_point("m", {100, 100.1, 99.9}, 1e9)});
  const auto slow = synthetic({generate_point("m", {110, 110.1, 109.9}, 1e9)});
  const Comparison c = compare_reports(base, slow, {});
  EXPECT_EQ(c.regressions, 1);
  EXPECT_FALSE(c.points[0].changes[0].tested);
  EXPECT_NE(c.points[0].changes[0].note.find("too few repetitions (3 vs 3)"), std::string::npos);
  CompareOptions loose;
  loose.metric_threshold_pct["latency_ms"] = 15;
  EXPECT_EQ(compare_reports(base, slow, loose).regressions, 0);
}

TEST(Compare, MemoryIncreaseIsFlaggedByThreshold) {
  const auto base = synthetic({generate_point("m", {100, 100, 100}, 1.00e9)});
  const auto fat = synthetic({generate_point("m", {100, 100, 100}, 1.08e9)});
  const Comparison c = compare_reports(base, fat, {});
  EXPECT_EQ(c.regressions, 1);
  bool found = false;
  for (const auto& m : c.points[0].changes) {
    if (m.metric == "cuda_peak_allocated_bytes") {
      found = true;
      EXPECT_EQ(m.word, "larger");
    }
  }
  EXPECT_TRUE(found);
  const auto slightly = synthetic({generate_point("m", {100, 100, 100}, 1.04e9)});
  EXPECT_EQ(compare_reports(base, slightly, {}).regressions, 0);
}

TEST(Compare, StatusChangesAddedRemovedAndContext) {
  auto ok = generate_point("a", {1, 1, 1}, 1);
  auto gone = generate_point("b", {1, 1, 1}, 1);
  auto failed = ok;
  failed.status = bench::Status::kOom;
  failed.samples.clear();
  failed.values.clear();
  auto fresh = generate_point("c", {1, 1, 1}, 1);
  auto base = synthetic({ok, gone});
  auto current = synthetic({failed, fresh});
  current.context["libtorch_version"] = "2.12.0";
  const Comparison c = compare_reports(base, current, {});
  EXPECT_EQ(c.regressions, 1);  // ok -> oom
  EXPECT_EQ(c.added, std::vector<std::string>{fresh.point.id()});
  EXPECT_EQ(c.removed, std::vector<std::string>{gone.point.id()});
  ASSERT_FALSE(c.context_warnings.empty());
  EXPECT_NE(c.context_warnings[0].find("LibTorch differs"), std::string::npos);
  const std::string md = comparison_markdown(c, base, current, false);
  EXPECT_NE(md.find("**1 regression(s)**"), std::string::npos) << md;
  EXPECT_NE(md.find("REGRESSION"), std::string::npos);
}

TEST(Merge, RefusesDifferentSweepsAndDisagreeingOverlaps) {
  auto a = synthetic({generate_point("a", {1, 2}, 1)}, "a.json");
  auto b = synthetic({generate_point("b", {1, 2}, 1)}, "b.json");
  a.context["shard"] = "0/2";
  b.context["shard"] = "1/2";
  EXPECT_EQ(merge_reports({a, b})["points"].size(), 2u);
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
  EXPECT_EQ(merge_reports({a, same})["points"].size(), 1u);  // identical overlap is fine
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
