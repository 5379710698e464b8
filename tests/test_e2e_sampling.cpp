// End to end: noise-driven sampling. A loose target settles each point with at least the
// minimum samples and records the noise it reached; an unreachable one stops at the
// timeout, flags the point 'unsettled' and marks its table cell.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e_util.h"

namespace {
const std::string kExe = SHISHU_BENCH_EXE;
const std::string kReportExe = SHISHU_REPORT_EXE;
const std::string kSweep = SHISHU_TEST_DATA "/tiny-sweep.json";
const std::string kPoints = " --phase forward --seq 8 --models 125m:1";

nlohmann::json flags(const nlohmann::json& point) {
  return point.value("environment", nlohmann::json::object()).value("flags", nlohmann::json::array());
}
}  // namespace

TEST(NoiseSampling, ALooseTargetSettlesAndRecordsTheNoise) {
  const std::string dir = shishu::testing::fresh_dir("shishu-sampling", "settles");
  std::string err;
  ASSERT_EQ(shishu::testing::run_exe(kExe, "run --preset " + kSweep + kPoints + " --noise 50 --out " + dir, &err), 0)
      << err;
  const auto report = shishu::testing::read_json(dir + "/report.json");
  const auto& sampling = report["context"]["settings"]["sampling"];
  EXPECT_EQ(sampling["rule"], "noise");
  EXPECT_EQ(sampling["max_noise_pct"], 50.0);
  ASSERT_EQ(report["points"].size(), 1u);
  const auto& p = report["points"][0];
  const auto& latency = p["metrics"]["latency_ms"]["samples"];
  EXPECT_GE(latency.size(), 10u);  // the minimum, whatever the target
  const double noise = p["metrics"]["sample_noise_pct"];
  EXPECT_GT(noise, 0.0);
  EXPECT_LE(noise, 50.0);
  for (const auto& f : flags(p)) EXPECT_EQ(f.get<std::string>().find("unsettled"), std::string::npos);
}

TEST(NoiseSampling, AnUnreachableTargetTimesOutFlaggedAndMarked) {
  const std::string dir = shishu::testing::fresh_dir("shishu-sampling", "timeout");
  std::string err, table;
  ASSERT_EQ(shishu::testing::run_exe(kExe, "run --preset " + kSweep + kPoints +
                                               " --noise 0.000001 --noise-timeout 0.3 --out " + dir, &err),
            0)
      << err;
  const auto report = shishu::testing::read_json(dir + "/report.json");
  const auto& p = report["points"][0];
  bool flagged = false;
  for (const auto& f : flags(p)) flagged |= f.get<std::string>().rfind("unsettled: noise", 0) == 0;
  EXPECT_TRUE(flagged) << p["environment"].dump();
  ASSERT_EQ(shishu::testing::run_exe(kReportExe, "table " + dir + "/report.json", &err, &table), 0) << err;
  EXPECT_NE(table.find("(!)"), std::string::npos) << table;
  EXPECT_NE(table.find("unsettled"), std::string::npos) << table;  // the caption says what (!) means
}

TEST(NoiseSampling, RepsAndNoiseTogetherAreRefused) {
  std::string err;
  EXPECT_EQ(shishu::testing::run_exe(kExe, "run --preset " + kSweep + kPoints + " --reps 3 --noise 1 --list", &err), 2);
  EXPECT_NE(err.find("--reps"), std::string::npos) << err;
}
