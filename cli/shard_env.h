// Which shard of a sweep this process runs: none, `--shard i/N`, or `--shard auto`, which
// reads the index and count from the scheduler that started it, so one command line
// serves every task of a Slurm job array, a Kubernetes Indexed Job or a CI matrix. The
// environment comes in as a map, so the rules are tested without touching the process's.
//
//   Slurm job array     SLURM_ARRAY_TASK_ID; the count from SLURM_ARRAY_TASK_MIN/MAX (and
//                       _STEP), checked against SLURM_ARRAY_TASK_COUNT, or from _COUNT alone
//   Kubernetes          JOB_COMPLETION_INDEX; the count is the Job's completions, passed
//                       as --shard-count (Kubernetes does not put it in the pod's environment)
//   CI matrix           SHISHU_SHARD_INDEX and SHISHU_SHARD_COUNT (or --shard-count)
//
// With --shard-count, a Slurm task id is the shard index itself: a resubmitted index
// (`sbatch --array=2`) is an array of one, whose MIN, MAX and COUNT describe that array,
// not the sweep.
#pragma once
#include <map>
#include <optional>
#include <string>

namespace shishu::cli {

using Environment = std::map<std::string, std::string>;

struct ShardChoice {
  int index = 0, count = 1;
  // "none", "--shard", or the scheduler and the variables read, e.g.
  // "slurm: SLURM_ARRAY_TASK_ID=2, SLURM_ARRAY_TASK_MIN=0, SLURM_ARRAY_TASK_MAX=3"
  std::string source = "none";
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// `--shard auto`: throws std::invalid_argument naming the variable when no scheduler's
// index is set, more than one is, or a value is not a whole number or disagrees with another.
ShardChoice shard_from_environment(const Environment& env, std::optional<int> count);

// The flags as given: `shard` empty (no sharding), "auto" or "i/N" exactly; `count` is
// --shard-count, which only `auto` takes. Throws std::invalid_argument naming the flag.
ShardChoice choose_shard(const std::string& shard, std::optional<int> count, const Environment& env);

// This process's environment, for the two functions above.
Environment process_environment();

}  // namespace shishu::cli
