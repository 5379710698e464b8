// Around the gate: history (trends and change points), export to dashboards, and the
// environment flags, in the report and in the tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "bench/environment.h"
#include "reports/efficiency_tables.h"
#include "reports/export.h"
#include "reports/history.h"
#include "synthetic_report.h"

using namespace shishu;
using namespace shishu::reports;

using shishu::testing::forward_point;
using shishu::testing::synthetic;

TEST(History, FindsAStepAndOnlyTheStep) {
  // Twelve nightly reports; latency steps up 20% at report #6, with 1% noise.
  std::vector<LoadedReport> nights;
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 0.01);
  for (int i = 0; i < 12; ++i) {
    const double level = i < 6 ? 100 : 120;
    auto r = synthetic({forward_point("m", {level * (1 + noise(rng)), level * (1 + noise(rng)), level * (1 + noise(rng))}),
                     forward_point("flat", {50 * (1 + noise(rng)), 50 * (1 + noise(rng)), 50 * (1 + noise(rng))})},
                    "night-" + std::to_string(i) + ".json");
    r.context["started_at"] = "2026-11-" + std::to_string(10 + i) + "T02:00:00Z";
    nights.push_back(r);
  }
  std::shuffle(nights.begin(), nights.end(), rng);  // ordered by time, not by argument order
  const History h = build_history(nights, {});
  ASSERT_EQ(h.labels.size(), 12u);
  EXPECT_NE(h.labels[0].find("night-0.json"), std::string::npos);
  int flagged = 0;
  for (const auto& t : h.trends) {
    if (t.metric != "latency_ms") continue;
    if (t.point_id.find("flat") != std::string::npos) {
      EXPECT_TRUE(t.change_points.empty());
      continue;
    }
    ASSERT_EQ(t.change_points.size(), 1u);
    EXPECT_EQ(t.change_indices[0], 6);
    EXPECT_EQ(t.change_points[0].verdict, Verdict::kRegression);
    EXPECT_NEAR(t.change_points[0].estimate_pct, 20, 3);
    ++flagged;
  }
  EXPECT_EQ(flagged, 1);
  EXPECT_NE(history_markdown(h, {}).find("#6 +"), std::string::npos);
  EXPECT_THROW(build_history({nights[0]}, {}), std::invalid_argument);
  auto other = nights[1];
  other.context["preset"] = "paper";
  EXPECT_THROW(build_history({nights[0], other}, {}), std::invalid_argument);
}

TEST(Export, BencherAndGithubActionBenchmarkCarryEveryDirectionalFigure) {
  auto p = forward_point("m", {10, 12, 11});
  p.set_value("tokens_per_s", 640);
  p.set_value("model_flops", 1e9);  // neutral: not exported
  const auto r = synthetic({p});
  const auto bmf = bencher_metric_format(r);
  const auto& entry = bmf.at(p.point.id());
  EXPECT_EQ(entry.at("latency_ms").at("value"), 11);
  EXPECT_EQ(entry.at("latency_ms").at("lower_value"), 10);
  EXPECT_EQ(entry.at("latency_ms").at("upper_value"), 12);
  EXPECT_EQ(entry.at("tokens_per_s").at("value"), 640);
  EXPECT_FALSE(entry.contains("model_flops"));
  const auto gab = github_action_benchmark(r);
  ASSERT_EQ(gab.at("customSmallerIsBetter").size(), 2u);  // latency, CUDA peak memory
  ASSERT_EQ(gab.at("customBiggerIsBetter").size(), 1u);   // tokens/s
  EXPECT_EQ(gab["customBiggerIsBetter"][0]["unit"], "tok/s");
  EXPECT_EQ(gab["customSmallerIsBetter"][0]["name"], p.point.id() + " latency_ms");
  EXPECT_THROW(parse_export_format("csv"), std::invalid_argument);
}

TEST(Environment, CpuAndGpuFlagsFromTheirCounters) {
  std::map<std::string, double> shares;
  // 2 CPUs for 10 s: 20 CPU-seconds. This process used 9.5, the machine 13: 3.5 foreign.
  auto flags = bench::cpu_flags(13, 0.2, 9.5, 10, 2, &shares);
  EXPECT_NEAR(shares["foreign_cpu_share"], 3.5 / 20, 1e-12);
  EXPECT_NEAR(shares["own_cpu_share"], 9.5 / 20, 1e-12);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0], "foreign load: 18% of the CPUs busy outside this process");
  EXPECT_TRUE(bench::cpu_flags(10, 0.2, 9.9, 10, 2, nullptr).empty());  // quiet machine
  EXPECT_EQ(bench::cpu_flags(10, 2, 9.9, 10, 2, nullptr), std::vector<std::string>{"hypervisor steal: 10% of the CPUs"});
  EXPECT_TRUE(bench::gpu_flags(0x1).empty());  // idle is not a slowdown
  EXPECT_EQ(bench::gpu_flags(0x4 | 0x40), std::vector<std::string>{"throttled: sw_power_cap,hw_thermal"});
}

TEST(Environment, FlaggedCellsAreMarkedInTheTables) {
  auto quiet = forward_point("mobilellm-125m", {10, 11});
  auto busy = forward_point("shishulm-125m", {12, 13});
  busy.environment.flags = {"foreign load: 40% of the CPUs busy outside this process"};
  const auto tables = efficiency_tables(synthetic({quiet, busy}), {"forward"});
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].table.rows[0][1].find("(!)"), std::string::npos);
  EXPECT_NE(tables[0].table.rows[1][1].find("(!)"), std::string::npos);
  EXPECT_NE(tables[0].caption.find("throttled or under foreign load"), std::string::npos);
}
