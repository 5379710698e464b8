// End to end: the measured ceilings (bench/ceilings.h). `ceilings` prints both with their
// method; `run --ceilings` records them in the context and sets each point against them,
// which is arithmetic the test redoes from the report's own figures.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e_util.h"

namespace {
const std::string kExe = SHISHU_BENCH_EXE;
const std::string kSweep = SHISHU_TEST_DATA "/tiny-sweep.json";
}  // namespace

TEST(Ceilings, TheCommandMeasuresBothWithItsMethod) {
  std::string err, out;
  ASSERT_EQ(shishu::testing::run_exe(kExe, "ceilings --device cpu --dtype fp32 --copy-mib 16 --matmul-n 256 --reps 3 --json",
                                     &err, &out),
            0)
      << err;
  const auto j = nlohmann::json::parse(out);
  // Loose physical bounds: any machine this runs on copies faster than 100 MB/s and
  // slower than 100 TB/s, and multiplies faster than 10 MFLOP/s.
  EXPECT_GT(j["copy_bytes_per_s"].get<double>(), 1e8);
  EXPECT_LT(j["copy_bytes_per_s"].get<double>(), 1e14);
  EXPECT_GT(j["matmul_flops_per_s"].get<double>(), 1e7);
  EXPECT_NE(j["method"].get<std::string>().find("16 MiB"), std::string::npos) << j.dump();
  EXPECT_NE(j["method"].get<std::string>().find("256^3 Float"), std::string::npos) << j.dump();
  EXPECT_EQ(shishu::testing::run_exe(kExe, "ceilings --device cuda:7", &err), 2);
  EXPECT_NE(err.find("cuda:7"), std::string::npos) << err;
}

TEST(Ceilings, ARunSetsEveryPointAgainstThem) {
  const std::string dir = shishu::testing::fresh_dir("shishu-ceilings", "run");
  std::string err;
  ASSERT_EQ(shishu::testing::run_exe(kExe, "run --preset " + kSweep +
                                               " --models 125m:1 --batch 1 --reps 1 --ceilings --out " + dir, &err),
            0)
      << err;
  const auto report = shishu::testing::read_json(dir + "/report.json");
  const auto& ceilings = report["context"]["devices"][0]["measured_ceilings"];
  ASSERT_EQ(ceilings.size(), 1u);  // fp32 only
  const double flops = ceilings[0]["matmul_flops_per_s"], copy = ceilings[0]["copy_bytes_per_s"];
  int checked_flops = 0, checked_bw = 0;
  for (const auto& p : report["points"]) {
    const auto& m = p["metrics"];
    ASSERT_TRUE(m.contains("measured_flops_pct")) << p["id"];
    EXPECT_NEAR(m["measured_flops_pct"].get<double>(), 100.0 * m["achieved_tflops"].get<double>() * 1e12 / flops,
                1e-9 * m["measured_flops_pct"].get<double>());
    ++checked_flops;
    if (m.contains("achieved_bandwidth_gbs")) {
      EXPECT_NEAR(m["measured_bandwidth_pct"].get<double>(), 100.0 * m["achieved_bandwidth_gbs"].get<double>() * 1e9 / copy,
                  1e-9 * m["measured_bandwidth_pct"].get<double>());
      ++checked_bw;
    }
  }
  EXPECT_EQ(checked_flops, 5);  // forward and forward_backward at seq 8 and 16, and generate
  EXPECT_EQ(checked_bw, 5);     // every phase declares the bytes it moves (bench/prediction.h)
}
