// Which shard a process runs (cli/shard_env.h): `--shard i/N` read exactly, and
// `--shard auto` read from a scheduler's environment. The Slurm environments below are
// the variables Slurm 22.05 (Debian bookworm) set in array tasks on this project's
// machine; the reference for the text rule is a regular expression, not our parser.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <stdexcept>

#include "cli/shard_env.h"

using shishu::cli::choose_shard;
using shishu::cli::Environment;
using shishu::cli::shard_from_environment;
using shishu::cli::ShardChoice;

namespace {

// The message of the std::invalid_argument that `f` throws; a failure if it throws none.
template <class F>
std::string refusal(F f) {
  try {
    const ShardChoice c = f();
    ADD_FAILURE() << "accepted as " << c.text() << " (" << c.source << ")";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::string refusal_of(const Environment& env, std::optional<int> count = std::nullopt) {
  return refusal([&] { return shard_from_environment(env, count); });
}

// Slurm's variables for task `id` of `sbatch --array=SPEC`, as observed.
Environment slurm(int id, int count, int min, int max, int step = 1) {
  return {{"SLURM_ARRAY_JOB_ID", "7"},
          {"SLURM_ARRAY_TASK_ID", std::to_string(id)},
          {"SLURM_ARRAY_TASK_COUNT", std::to_string(count)},
          {"SLURM_ARRAY_TASK_MIN", std::to_string(min)},
          {"SLURM_ARRAY_TASK_MAX", std::to_string(max)},
          {"SLURM_ARRAY_TASK_STEP", std::to_string(step)}};
}

}  // namespace

// The bug class: a parser that reads a prefix and ignores the rest. Every text made
// from a valid one by inserting, replacing or deleting one character must be accepted
// exactly when it is still digits, one slash, digits (with i < N), and then mean what
// those digits say.
TEST(ShardText, OnlyExactlyIOverNIsAccepted) {
  const std::regex exact("([0-9]+)/([0-9]+)");
  const std::string alphabet = "0123456789/ .-+x\t,e";
  std::set<std::string> texts;
  for (const std::string base : {"1/4", "0/2", "12/16"}) {
    for (size_t at = 0; at <= base.size(); ++at) {
      for (char c : alphabet) {
        texts.insert(base.substr(0, at) + c + base.substr(at));
        if (at < base.size()) texts.insert(base.substr(0, at) + c + base.substr(at + 1));
      }
      if (at < base.size()) texts.insert(base.substr(0, at) + base.substr(at + 1));
    }
  }
  texts.insert({"1/2/3", " 1/2", "1.5/2", "1/2 ", "-1/2", "+1/2", "0x1/2", "1e0/2", "/", "auto1", "9999999999/2"});
  size_t accepted = 0;
  for (const auto& text : texts) {
    std::smatch m;
    const bool valid = std::regex_match(text, m, exact) && m[1].length() <= 9 && m[2].length() <= 9 &&
                       std::stol(m[1].str()) < std::stol(m[2].str());
    if (valid) {
      const ShardChoice c = choose_shard(text, std::nullopt, {});
      EXPECT_EQ(c.index, std::stoi(m[1].str())) << text;
      EXPECT_EQ(c.count, std::stoi(m[2].str())) << text;
      EXPECT_EQ(c.source, "--shard");
      ++accepted;
    } else {
      EXPECT_NE(refusal([&] { return choose_shard(text, std::nullopt, {}); }).find("--shard '" + text + "'"),
                std::string::npos)
          << "'" << text << "'";
    }
  }
  EXPECT_GT(accepted, 20u);  // the mutations keep many valid texts: both branches are exercised
  EXPECT_GT(texts.size() - accepted, 100u);
  EXPECT_NE(refusal([] { return choose_shard("4/4", std::nullopt, {}); }).find("shard 4/4 is invalid"),
            std::string::npos);
  EXPECT_NE(refusal([] { return choose_shard("0/0", std::nullopt, {}); }).find("shard 0/0 is invalid"),
            std::string::npos);
}

TEST(ShardText, NoFlagIsOneShardAndTheCountGoesWithAutoOnly) {
  const ShardChoice none = choose_shard("", std::nullopt, {{"SLURM_ARRAY_TASK_ID", "3"}});
  EXPECT_EQ(none.text(), "0/1");
  EXPECT_EQ(none.source, "none");
  EXPECT_NE(refusal([] { return choose_shard("1/4", 4, {}); }).find("--shard-count"), std::string::npos);
  EXPECT_NE(refusal([] { return choose_shard("", 4, {}); }).find("--shard-count"), std::string::npos);
}

// Every task of an array gets a different shard, and together they cover 0..N-1: for
// arrays numbered from 0, from 1, and with a step.
TEST(ShardAuto, EveryTaskOfASlurmArrayGetsItsOwnShard) {
  for (int n = 1; n <= 7; ++n) {
    for (const auto& [min, step] : {std::pair{0, 1}, std::pair{1, 1}, std::pair{5, 3}}) {
      std::set<int> seen;
      for (int t = 0; t < n; ++t) {
        const ShardChoice c =
            shard_from_environment(slurm(min + t * step, n, min, min + (n - 1) * step, step), std::nullopt);
        EXPECT_EQ(c.count, n);
        EXPECT_TRUE(seen.insert(c.index).second) << "two tasks got shard " << c.index;
        EXPECT_EQ(c.source.rfind("slurm: SLURM_ARRAY_TASK_ID=" + std::to_string(min + t * step) + ",", 0), 0u)
            << c.source;
      }
      EXPECT_EQ(seen.size(), static_cast<size_t>(n));
      EXPECT_EQ(*seen.rbegin(), n - 1);
    }
  }
  // Without MIN and MAX, the count alone.
  const ShardChoice c =
      shard_from_environment({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "4"}}, std::nullopt);
  EXPECT_EQ(c.text(), "2/4");
  EXPECT_EQ(c.source, "slurm: SLURM_ARRAY_TASK_ID=2, SLURM_ARRAY_TASK_COUNT=4");
}

TEST(ShardAuto, InconsistentSlurmVariablesAreRefusedByName) {
  // --array=0,3,7: three tasks over a range of eight.
  EXPECT_NE(refusal_of(slurm(3, 3, 0, 7)).find("SLURM_ARRAY_TASK_COUNT=3 disagrees"), std::string::npos);
  auto env = slurm(2, 4, 0, 3);
  env["SLURM_ARRAY_TASK_ID"] = "2 ";
  EXPECT_NE(refusal_of(env).find("SLURM_ARRAY_TASK_ID='2 ' is not a whole number"), std::string::npos);
  env["SLURM_ARRAY_TASK_ID"] = "";
  EXPECT_NE(refusal_of(env).find("SLURM_ARRAY_TASK_ID='' is not a whole number"), std::string::npos);
  EXPECT_NE(refusal_of(slurm(5, 4, 0, 3)).find("SLURM_ARRAY_TASK_ID=5 is not a task of the array"), std::string::npos);
  EXPECT_NE(refusal_of(slurm(2, 3, 1, 7, 3)).find("SLURM_ARRAY_TASK_ID=2 is not a task"), std::string::npos);
  EXPECT_NE(refusal_of(slurm(1, 4, 0, 6, 4)).find("SLURM_ARRAY_TASK_MAX=6 does not end"), std::string::npos);
  EXPECT_NE(refusal_of(slurm(1, 4, 0, 3, 0)).find("SLURM_ARRAY_TASK_STEP=0"), std::string::npos);
  EXPECT_NE(refusal_of({{"SLURM_ARRAY_TASK_ID", "4"}, {"SLURM_ARRAY_TASK_COUNT", "4"}})
                .find("SLURM_ARRAY_TASK_ID=4 is not below"),
            std::string::npos);
  EXPECT_NE(
      refusal_of({{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_MIN", "0"}}).find("SLURM_ARRAY_TASK_MAX is not set"),
      std::string::npos);
  EXPECT_NE(refusal_of({{"SLURM_ARRAY_TASK_ID", "1"}}).find("SLURM_ARRAY_TASK_COUNT"), std::string::npos);
}

// `sbatch --array=2` alone, as a resubmission: Slurm describes an array of one task.
TEST(ShardAuto, AResubmittedSlurmIndexTakesTheCountGiven) {
  const Environment resubmitted = slurm(2, 1, 2, 2);
  EXPECT_EQ(shard_from_environment(resubmitted, std::nullopt).text(), "0/1");  // why the count must be given
  const ShardChoice c = shard_from_environment(resubmitted, 4);
  EXPECT_EQ(c.text(), "2/4");
  EXPECT_EQ(c.source, "slurm: SLURM_ARRAY_TASK_ID=2, --shard-count 4");
  EXPECT_NE(
      refusal_of(slurm(4, 1, 4, 4), 4).find("SLURM_ARRAY_TASK_ID=4 is not below the shard count (--shard-count 4)"),
      std::string::npos);
}

TEST(ShardAuto, KubernetesIndexTakesTheJobsCompletions) {
  const ShardChoice c = shard_from_environment({{"JOB_COMPLETION_INDEX", "5"}}, 8);
  EXPECT_EQ(c.text(), "5/8");
  EXPECT_EQ(c.source, "kubernetes: JOB_COMPLETION_INDEX=5, --shard-count 8");
  EXPECT_NE(refusal_of({{"JOB_COMPLETION_INDEX", "5"}}).find("--shard-count"), std::string::npos);
  EXPECT_NE(refusal_of({{"JOB_COMPLETION_INDEX", "8"}}, 8).find("JOB_COMPLETION_INDEX=8 is not below"),
            std::string::npos);
  EXPECT_NE(refusal_of({{"JOB_COMPLETION_INDEX", "-1"}}, 8).find("JOB_COMPLETION_INDEX='-1'"), std::string::npos);
}

TEST(ShardAuto, CiMatrixVariables) {
  const Environment ci = {{"SHISHU_SHARD_INDEX", "1"}, {"SHISHU_SHARD_COUNT", "4"}};
  EXPECT_EQ(shard_from_environment(ci, std::nullopt).text(), "1/4");
  EXPECT_EQ(shard_from_environment(ci, std::nullopt).source, "ci: SHISHU_SHARD_INDEX=1, SHISHU_SHARD_COUNT=4");
  EXPECT_EQ(shard_from_environment(ci, 4).text(), "1/4");
  EXPECT_EQ(shard_from_environment({{"SHISHU_SHARD_INDEX", "1"}}, 3).text(), "1/3");
  EXPECT_NE(refusal_of(ci, 3).find("SHISHU_SHARD_COUNT=4 disagrees with --shard-count 3"), std::string::npos);
  EXPECT_NE(refusal_of({{"SHISHU_SHARD_INDEX", "1"}}).find("SHISHU_SHARD_COUNT"), std::string::npos);
  EXPECT_NE(refusal_of({{"SHISHU_SHARD_INDEX", "1"}, {"SHISHU_SHARD_COUNT", "0"}})
                .find("SHISHU_SHARD_COUNT=0 must be at least 1"),
            std::string::npos);
  EXPECT_NE(refusal_of({{"SHISHU_SHARD_INDEX", "1.0"}, {"SHISHU_SHARD_COUNT", "4"}}).find("SHISHU_SHARD_INDEX='1.0'"),
            std::string::npos);
}

TEST(ShardAuto, NoSchedulerOrTwoAreRefusedByName) {
  const std::string none = refusal_of({{"PATH", "/bin"}, {"SLURM_JOB_ID", "3"}});
  for (const char* name : {"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "SHISHU_SHARD_INDEX"}) {
    EXPECT_NE(none.find(name), std::string::npos) << none;
  }
  const std::string both =
      refusal_of({{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "2"}, {"SHISHU_SHARD_INDEX", "1"}}, 2);
  EXPECT_NE(both.find("both SLURM_ARRAY_TASK_ID and SHISHU_SHARD_INDEX are set"), std::string::npos) << both;
  EXPECT_EQ(choose_shard("auto", std::nullopt, {{"SHISHU_SHARD_INDEX", "0"}, {"SHISHU_SHARD_COUNT", "2"}}).text(),
            "0/2");
}
