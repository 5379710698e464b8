// End to end: the memory prediction holds on the CPU, where the counting allocator gives
// exact tensor peaks, for every family (a full model, ShishuLM, ShishuLM-S with tied MLP
// pairs) and every phase, in fp32 and bf16. So the model side of the accounting cannot
// drift; the GPU side (the caching allocator) is checked in the GPU stage. The target is
// the one for the GPU: within 5% of the peak or 16 MB, whichever is larger. And the
// peaks are ordered as the weights and KV cache say: ShishuLM-S <= ShishuLM <= MobileLLM.
// At this shape (batch 2, 64 tokens) the training peak is backward's end; its start,
// which binds at long sequences, is predicted less closely (reports/PERFORMANCE.md,
// "Memory accounting": -14% to +6% at 512 tokens), and is not held to 5% here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

#include "e2e_util.h"

namespace {

const std::string kExe = SHISHU_BENCH_EXE;
const std::string kFamilies = SHISHU_TEST_DATA "/memory-families.json";
// The preset's three models, largest first: MobileLLM 4, ShishuLM 2+2, ShishuLM-S 2+1*2.
const std::vector<std::string> kOrder = {"125m:4", "125m:2+2", "125m:2+1*2"};

void check_dtype(const std::string& dtype) {
  const std::string dir = shishu::testing::fresh_dir("shishu-memory", dtype);
  std::string err;
  ASSERT_EQ(shishu::testing::run_exe(kExe, "run --preset " + kFamilies + " --dtype " + dtype + " --out " + dir, &err), 0)
      << err;
  const auto report = shishu::testing::read_json(dir + "/report.json");
  ASSERT_EQ(report["points"].size(), 12u);
  std::map<std::string, std::map<std::string, std::pair<double, double>>> by_phase;  // phase -> model -> (measured, predicted)
  for (const auto& p : report["points"]) {
    ASSERT_EQ(p["status"], "ok") << p["id"] << ": " << p.value("message", "");
    const double measured = p["metrics"]["cpu_peak_allocated_bytes"], predicted = p["metrics"]["predicted_total_bytes"];
    const double tolerance = std::max(0.05 * predicted, 16.0 * (1 << 20));
    EXPECT_NEAR(measured, predicted, tolerance)
        << p["id"] << ": measured " << measured / (1 << 20) << " MB, predicted " << predicted / (1 << 20) << " MB";
    by_phase[p["axes"]["phase"]][p["axes"]["model"]] = {measured, predicted};
  }
  for (const auto& [phase, models] : by_phase) {
    ASSERT_EQ(models.size(), 3u) << phase;
    for (size_t i = 0; i + 1 < kOrder.size(); ++i) {
      const auto& larger = models.at(kOrder[i]);
      const auto& smaller = models.at(kOrder[i + 1]);
      ASSERT_LT(smaller.second, larger.second) << phase << ": the prediction orders " << kOrder[i + 1] << " below "
                                               << kOrder[i];
      EXPECT_LE(smaller.first, larger.first) << phase << ": " << kOrder[i + 1] << " peaked above " << kOrder[i];
    }
  }
}

}  // namespace

// Long context: the prefill's activations, a chunk's when chunked, and the cache and
// rotary tables at depth, within 5% for every family (reports/PERFORMANCE.md, "Long
// context": measured to 0.1% to 2.2% there, at prefill 8192 and depth 32768 too).
void check_long_context(const std::string& dtype) {
  const std::string dir = shishu::testing::fresh_dir("shishu-memory-long", dtype);
  std::string err;
  ASSERT_EQ(shishu::testing::run_exe(
                kExe, "run --preset " SHISHU_TEST_DATA "/memory-long-context.json --dtype " + dtype + " --out " + dir, &err),
            0)
      << err;
  const auto report = shishu::testing::read_json(dir + "/report.json");
  ASSERT_EQ(report["points"].size(), 12u);
  for (const auto& p : report["points"]) {
    ASSERT_EQ(p["status"], "ok") << p["id"] << ": " << p.value("message", "");
    const double measured = p["metrics"]["cpu_peak_allocated_bytes"], predicted = p["metrics"]["predicted_total_bytes"];
    EXPECT_NEAR(measured, predicted, 0.05 * measured)
        << p["id"] << ": measured " << measured / (1 << 20) << " MB, predicted " << predicted / (1 << 20) << " MB";
  }
}

TEST(MemoryAccounting, LongContextPredictionsHoldFp32) { check_long_context("fp32"); }
TEST(MemoryAccounting, LongContextPredictionsHoldBf16) { check_long_context("bf16"); }

TEST(MemoryAccounting, PredictionsHoldForEveryFamilyAndPhaseFp32) { check_dtype("fp32"); }
TEST(MemoryAccounting, PredictionsHoldForEveryFamilyAndPhaseBf16) { check_dtype("bf16"); }

// On the CPU there is no caching allocator to snapshot: the run says so once and goes on.
TEST(MemorySnapshot, CpuPointsRunAndSayWhyTheyHaveNone) {
  const std::string dir = shishu::testing::fresh_dir("shishu-memory", "snapshot");
  std::string err;
  ASSERT_EQ(shishu::testing::run_exe(kExe, "run --preset " + kFamilies + " --phase forward --models 125m:4 "
                                               "--memory-snapshot --out " + dir, &err),
            0)
      << err;
  EXPECT_NE(err.find("--memory-snapshot skips cpu points"), std::string::npos) << err;
  EXPECT_NE(err.find("cpu_peak_allocated_bytes"), std::string::npos) << err;
  const auto report = shishu::testing::read_json(dir + "/report.json");
  EXPECT_FALSE(report["points"][0].contains("memory_snapshot"));
}

// --l2-flush: the report says the samples are cold, and the flush buffer (twice the
// last-level cache) stays out of the peak: the counted peaks equal the warm run's.
TEST(CacheFlush, ColdSamplesAreLabelledAndLeaveThePeakAlone) {
  std::map<std::string, double> peaks[2];
  for (int cold = 0; cold < 2; ++cold) {
    const std::string dir = shishu::testing::fresh_dir("shishu-memory", cold ? "cold" : "warm");
    std::string err;
    ASSERT_EQ(shishu::testing::run_exe(kExe, "run --preset " + kFamilies + " --phase forward --reps 2" +
                                                 (cold ? " --l2-flush" : "") + " --out " + dir, &err),
              0)
        << err;
    const auto report = shishu::testing::read_json(dir + "/report.json");
    EXPECT_EQ(report["context"]["settings"]["cache"].get<std::string>().rfind(cold ? "cold" : "warm", 0), 0u);
    for (const auto& p : report["points"]) peaks[cold][p["id"]] = p["metrics"]["cpu_peak_allocated_bytes"];
  }
  EXPECT_EQ(peaks[0], peaks[1]);
}
