// End to end, without a scheduler: `--shard auto` from the CI variables, the shard text
// read exactly, and `shishu-report merge` on real shard reports: exit 3 naming the
// missing points, exit 2 naming another preset's shard. tests/check_slurm.sh runs the
// same paths on a real Slurm.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "e2e_util.h"

using nlohmann::json;

namespace {

const std::string kExe = SHISHU_BENCH_EXE;
const std::string kReport = SHISHU_REPORT_EXE;
const std::string kSweep = SHISHU_TEST_DATA "/tiny-sweep.json";
// No scheduler's variable leaks in from the machine the tests run on (a CI runner, a Slurm node).
const std::string kClean =
    "env -u SLURM_ARRAY_TASK_ID -u JOB_COMPLETION_INDEX -u SHISHU_SHARD_INDEX -u SHISHU_SHARD_COUNT ";

int bench(const std::string& args, std::string* err = nullptr, std::string* out = nullptr) {
  return shishu::testing::run_exe(kClean + kExe, args, err, out);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST(Shards, AutoFromCiVariablesPlansTheSameShardAsTheFlag) {
  std::string err, by_flag, by_env;
  ASSERT_EQ(bench("run --preset ci-gpu --list --shard-by count --shard 1/4", &err, &by_flag), 0) << err;
  ASSERT_EQ(bench("run --preset ci-gpu --list --shard-by count --shard auto", &err, &by_env), 2);
  EXPECT_NE(err.find("none of SLURM_ARRAY_TASK_ID"), std::string::npos) << err;
  ASSERT_EQ(shishu::testing::run_exe(kClean + "SHISHU_SHARD_INDEX=1 SHISHU_SHARD_COUNT=4 " + kExe,
                                     "run --preset ci-gpu --list --shard-by count --shard auto", &err, &by_env),
            0)
      << err;
  EXPECT_EQ(lines(by_env), lines(by_flag));
  EXPECT_EQ(lines(by_flag).size(), 14u);
  EXPECT_NE(err.find("shard 1/4 (ci: SHISHU_SHARD_INDEX=1, SHISHU_SHARD_COUNT=4)"), std::string::npos) << err;
  // Inconsistent values exit 2, naming the variable, before anything runs.
  ASSERT_EQ(shishu::testing::run_exe(kClean + "SHISHU_SHARD_INDEX=4 SHISHU_SHARD_COUNT=4 " + kExe,
                                     "run --preset ci-gpu --list --shard-by count --shard auto", &err),
            2);
  EXPECT_NE(err.find("SHISHU_SHARD_INDEX=4 is not below the shard count (SHISHU_SHARD_COUNT=4)"), std::string::npos)
      << err;
}

// By time (the default), --list prints every shard's predicted seconds, and the shards
// partition the sweep: together they list every point of the unsharded --list once.
TEST(Shards, ByTimeTheListSaysEachShardsPredictedSecondsAndThePlanPartitions) {
  std::string err, all;
  ASSERT_EQ(bench("run --preset paper --list", &err, &all), 0) << err;
  std::multiset<std::string> seen;
  for (int i = 0; i < 4; ++i) {
    std::string out;
    ASSERT_EQ(bench("run --preset paper --list --shard " + std::to_string(i) + "/4", &err, &out), 0) << err;
    for (const auto& line : lines(out)) seen.insert(line);
    EXPECT_NE(err.find("* shard " + std::to_string(i) + "/4: "), std::string::npos) << err;
    EXPECT_NE(err.find("longest shard over the mean: "), std::string::npos) << err;
  }
  const auto every = lines(all);
  EXPECT_EQ(seen, std::multiset<std::string>(every.begin(), every.end()));
}

TEST(Shards, ShardTextIsReadExactly) {
  for (const std::string text : {"1/2/3", "' 1/2'", "1.5/2", "1/2x", "+1/2"}) {
    std::string err;
    EXPECT_EQ(bench("run --preset ci-gpu --list --shard " + text, &err), 2) << text;
    EXPECT_NE(err.find("must be i/N"), std::string::npos) << text << ": " << err;
  }
  std::string err;
  EXPECT_EQ(bench("run --preset ci-gpu --list --shard 1/4 --shard-count 4", &err), 2);
  EXPECT_NE(err.find("--shard-count goes with --shard auto only"), std::string::npos) << err;
}

TEST(Shards, MergeNamesMissingPointsAndRefusesAnotherPresetByName) {
  const std::string dir = shishu::testing::fresh_dir("shishu-e2e-shards", "merge");
  const std::string common =
      " run --preset " + kSweep + " --models 125m:2 --phase forward,forward_backward --reps 1 --warmup 0 --shard-by count";
  std::string err, listed;
  ASSERT_EQ(bench(common + " --list", &err, &listed), 0) << err;
  const auto plan = lines(listed);
  ASSERT_EQ(plan.size(), 4u);
  for (const char* i : {"0", "2"}) {
    ASSERT_EQ(shishu::testing::run_exe(kClean + "SHISHU_SHARD_INDEX=" + i + " SHISHU_SHARD_COUNT=3 " + kExe,
                                       common + " --shard auto --out " + dir + "/s" + i, &err),
              0)
        << err;
  }
  const json s0 = shishu::testing::read_json(dir + "/s0/report.json");
  EXPECT_EQ(s0["context"]["shard"], "0/3");
  EXPECT_EQ(s0["context"]["shard_source"], "ci: SHISHU_SHARD_INDEX=0, SHISHU_SHARD_COUNT=3");
  EXPECT_EQ(s0["context"]["sweep_points"], plan);

  // Shard 1/3 never reported: its one point (position 1 of the plan) is named, exit 3.
  const std::string merged = dir + "/merged.json";
  ASSERT_EQ(shishu::testing::run_exe(
                kReport, "merge " + dir + "/s2/report.json " + dir + "/s0/report.json --out " + merged, &err),
            3)
      << err;
  EXPECT_NE(err.find("incomplete: 1 point(s) missing; no report from shard 1/3"), std::string::npos) << err;
  EXPECT_NE(err.find("  missing: " + plan[1] + "\n"), std::string::npos) << err;
  const json m = shishu::testing::read_json(merged);
  std::vector<std::string> ids;
  for (const auto& p : m["points"]) ids.push_back(p["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{plan[0], plan[2], plan[3]}));
  std::string table;
  ASSERT_EQ(shishu::testing::run_exe(kReport, "table " + merged, &err, &table), 0) << err;
  EXPECT_EQ(table.rfind("> Note: incomplete: 1 point(s) missing; no report from shard(s) 1/3\n", 0), 0u) << table;

  // A shard of another preset (the same grid under another name) is refused by name.
  std::string preset = shishu::testing::slurp(kSweep);
  preset.replace(preset.find("\"tiny\""), 6, "\"tiny-other\"");
  { std::ofstream(dir + "/other.json") << preset; }
  ASSERT_EQ(
      bench(" run --preset " + dir +
                "/other.json --models 125m:2 --phase forward,forward_backward --reps 1 --warmup 0 --shard 1/3 --out " +
                dir + "/s1-other",
            &err),
      0)
      << err;
  EXPECT_EQ(shishu::testing::run_exe(
                kReport, "merge " + dir + "/s0/report.json " + dir + "/s1-other/report.json " + dir + "/s2/report.json",
                &err),
            2);
  EXPECT_NE(err.find("'preset' differs: \"tiny\" in " + dir + "/s0/report.json, \"tiny-other\" in " + dir +
                     "/s1-other/report.json"),
            std::string::npos)
      << err;
}
