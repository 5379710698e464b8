// End to end: the long-context phases (issue 25) through the binaries. Decode at depth
// runs through every CPU backend with one sample per step, the chunked prefill runs
// beside the unchunked one with its own id, and shishu-report long-context tabulates
// the decode points.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>

#include "e2e_util.h"

namespace {
const std::string kExe = SHISHU_BENCH_EXE;
const std::string kReportExe = SHISHU_REPORT_EXE;
const std::string kSweep = SHISHU_TEST_DATA "/long-context-tiny.json";
}  // namespace

TEST(LongContext, DecodeAtDepthAndChunkedPrefillRunAndTabulate) {
  const std::string dir = shishu::testing::fresh_dir("shishu-long-context", "run");
  std::string err;
  ASSERT_EQ(shishu::testing::run_exe(kExe, "run --preset " + kSweep + " --out " + dir, &err), 0) << err;
  const auto report = shishu::testing::read_json(dir + "/report.json");
  int decode = 0, chunked = 0;
  for (const auto& p : report["points"]) {
    ASSERT_EQ(p["status"], "ok") << p["id"] << ": " << p.value("message", "");
    const auto& axes = p["axes"];
    const auto& m = p["metrics"];
    if (axes["phase"] == "decode") {
      ++decode;
      // gen steps a repetition, 2 repetitions, no prefill timed.
      EXPECT_EQ(m["decode_step_ms"]["samples"].size(), 4u * 2) << p["id"];
      EXPECT_FALSE(m.contains("ttft_ms")) << p["id"];
      EXPECT_GT(m["predicted_kv_cache_bytes"].get<double>(), 0);
      EXPECT_TRUE(p["id"].get<std::string>().find("/d" + std::to_string(axes["depth"].get<int>()) + "/g4") !=
                  std::string::npos)
          << p["id"];
    } else if (axes.contains("prefill_chunk")) {
      ++chunked;
      EXPECT_EQ(axes["prefill_chunk"], 32);
      EXPECT_NE(p["id"].get<std::string>().find("/c32"), std::string::npos) << p["id"];
      EXPECT_TRUE(m.contains("ttft_ms"));
    }
  }
  EXPECT_EQ(decode, 2 * 2 * 2);  // 2 models x 2 depths x eager and fast
  EXPECT_EQ(chunked, 2);
  const std::string out = dir + "/long-context.md";
  ASSERT_EQ(std::system((kReportExe + " long-context " + dir + "/report.json --memory-gb 4 --out " + out).c_str()), 0);
  const std::string text = shishu::testing::slurp(out);
  EXPECT_NE(text.find("### 125m: fp32, cpu, fast, batch 1, 4 steps"), std::string::npos) << text;
  EXPECT_NE(text.find(" depth 64 |"), std::string::npos) << text;
  EXPECT_NE(text.find("longest depth in 4.0 GB"), std::string::npos) << text;
  // Without --memory-gb, the CPU's own memory: MemTotal, or a lower cgroup limit.
  const double total = report["context"]["devices"][0]["memory_bytes"].get<double>();
  EXPECT_GT(total, 1e8);
  ASSERT_EQ(std::system((kReportExe + " long-context " + dir + "/report.json --out " + out).c_str()), 0);
  char longest[64];
  std::snprintf(longest, sizeof longest, "longest depth in %.1f GB", total / 1e9);
  EXPECT_NE(shishu::testing::slurp(out).find(longest), std::string::npos) << shishu::testing::slurp(out);
}
