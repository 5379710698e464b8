#include "cli/shard_env.h"

#include <stdexcept>
#include <vector>

#include "base/shard_text.h"

extern char** environ;

namespace shishu::cli {
namespace {

constexpr const char* kAuto = "--shard auto: ";

[[noreturn]] void refuse(const std::string& why) { throw std::invalid_argument(kAuto + why); }

std::optional<int> optional_number(const Environment& env, const char* name) {
  const auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  const auto value = base::parse_decimal(it->second);
  if (!value) refuse(std::string(name) + "='" + it->second + "' is not a whole number");
  return value;
}

int number(const Environment& env, const char* name) {
  const auto value = optional_number(env, name);
  if (!value) refuse(std::string(name) + " is not set");
  return *value;
}

std::string named(const char* name, int value) { return std::string(name) + "=" + std::to_string(value); }

// The shard, once index and count are known; `count_name` says where the count came from.
ShardChoice checked(int index, const std::string& index_name, int count, const std::string& count_name,
                    const std::string& source) {
  if (count < 1) refuse(count_name + " must be at least 1");
  if (index >= count) refuse(index_name + " is not below the shard count (" + count_name + ")");
  return {index, count, source};
}

ShardChoice from_slurm(const Environment& env, std::optional<int> count_flag) {
  const int id = number(env, "SLURM_ARRAY_TASK_ID");
  const std::string id_text = named("SLURM_ARRAY_TASK_ID", id);
  if (count_flag) {
    const std::string flag = "--shard-count " + std::to_string(*count_flag);
    return checked(id, id_text, *count_flag, flag, "slurm: " + id_text + ", " + flag);
  }
  const auto min = optional_number(env, "SLURM_ARRAY_TASK_MIN"), max = optional_number(env, "SLURM_ARRAY_TASK_MAX");
  const auto step = optional_number(env, "SLURM_ARRAY_TASK_STEP"),
             total = optional_number(env, "SLURM_ARRAY_TASK_COUNT");
  if (!min != !max)
    refuse(std::string(min ? "SLURM_ARRAY_TASK_MAX" : "SLURM_ARRAY_TASK_MIN") + " is not set, but " +
           (min ? "SLURM_ARRAY_TASK_MIN" : "SLURM_ARRAY_TASK_MAX") + " is");
  if (!min) {
    if (!total) {
      refuse(
          "SLURM_ARRAY_TASK_ID is set, but none of SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN and "
          "SLURM_ARRAY_TASK_MAX, so the shard count is unknown; pass --shard-count N");
    }
    const std::string count_text = named("SLURM_ARRAY_TASK_COUNT", *total);
    return checked(id, id_text, *total, count_text, "slurm: " + id_text + ", " + count_text);
  }
  const int s = step.value_or(1);
  const std::string range = named("SLURM_ARRAY_TASK_MIN", *min) + ", " + named("SLURM_ARRAY_TASK_MAX", *max) +
                            (step ? ", " + named("SLURM_ARRAY_TASK_STEP", s) : "");
  if (s < 1) refuse(named("SLURM_ARRAY_TASK_STEP", s) + " must be at least 1");
  if (*max < *min || (*max - *min) % s != 0)
    refuse(named("SLURM_ARRAY_TASK_MAX", *max) + " does not end the array " + range);
  if (id < *min || id > *max || (id - *min) % s != 0) refuse(id_text + " is not a task of the array " + range);
  const int count = (*max - *min) / s + 1;
  // An array with gaps (--array=0,3,7) has fewer tasks than its range: some shards would
  // never run, and nothing would say so until the merge.
  if (total && *total != count) {
    refuse(named("SLURM_ARRAY_TASK_COUNT", *total) + " disagrees with the " + std::to_string(count) + " tasks of " +
           range + " (an array with gaps cannot be sharded: use --array=0-" + std::to_string(*total - 1) + ")");
  }
  return {(id - *min) / s, count,
          "slurm: " + id_text + ", " + range + (total ? ", " + named("SLURM_ARRAY_TASK_COUNT", *total) : "")};
}

ShardChoice from_kubernetes(const Environment& env, std::optional<int> count_flag) {
  const int index = number(env, "JOB_COMPLETION_INDEX");
  const std::string index_text = named("JOB_COMPLETION_INDEX", index);
  if (!count_flag)
    refuse("JOB_COMPLETION_INDEX is set, but not the shard count: pass the Job's completions as --shard-count N");
  const std::string flag = "--shard-count " + std::to_string(*count_flag);
  return checked(index, index_text, *count_flag, flag, "kubernetes: " + index_text + ", " + flag);
}

ShardChoice from_ci(const Environment& env, std::optional<int> count_flag) {
  const int index = number(env, "SHISHU_SHARD_INDEX");
  const std::string index_text = named("SHISHU_SHARD_INDEX", index);
  const auto count = optional_number(env, "SHISHU_SHARD_COUNT");
  if (count && count_flag && *count != *count_flag) {
    refuse(named("SHISHU_SHARD_COUNT", *count) + " disagrees with --shard-count " + std::to_string(*count_flag));
  }
  if (!count && !count_flag) refuse("SHISHU_SHARD_INDEX is set, but neither SHISHU_SHARD_COUNT nor --shard-count");
  const std::string count_text =
      count ? named("SHISHU_SHARD_COUNT", *count) : "--shard-count " + std::to_string(*count_flag);
  return checked(index, index_text, count ? *count : *count_flag, count_text, "ci: " + index_text + ", " + count_text);
}

struct Scheduler {
  const char* index_variable;
  ShardChoice (*read)(const Environment&, std::optional<int>);
};
const Scheduler kSchedulers[] = {
    {"SLURM_ARRAY_TASK_ID", from_slurm},
    {"JOB_COMPLETION_INDEX", from_kubernetes},
    {"SHISHU_SHARD_INDEX", from_ci},
};

}  // namespace

ShardChoice shard_from_environment(const Environment& env, std::optional<int> count) {
  std::vector<const Scheduler*> set;
  for (const auto& s : kSchedulers) {
    if (env.count(s.index_variable)) set.push_back(&s);
  }
  if (set.empty()) {
    refuse(
        "none of SLURM_ARRAY_TASK_ID (a Slurm job array), JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) and "
        "SHISHU_SHARD_INDEX (a CI matrix) is set");
  }
  // Guessing which of two schedulers is meant could run the same shard twice.
  if (set.size() > 1) {
    refuse(std::string("both ") + set[0]->index_variable + " and " + set[1]->index_variable +
           " are set, so the scheduler is ambiguous; unset one, or pass --shard i/N");
  }
  return set[0]->read(env, count);
}

ShardChoice choose_shard(const std::string& shard, std::optional<int> count, const Environment& env) {
  if (shard == "auto") return shard_from_environment(env, count);
  if (count) throw std::invalid_argument("--shard-count goes with --shard auto only");
  if (shard.empty()) return {};
  const auto parsed = base::parse_shard_text(shard);
  if (!parsed) throw std::invalid_argument("--shard '" + shard + "' must be i/N (two whole numbers, e.g. 0/4) or auto");
  const auto [index, total] = *parsed;
  if (total < 1 || index >= total) {
    throw std::invalid_argument("--shard '" + shard + "': shard " + shard + " is invalid: use i/N with 0 <= i < N");
  }
  return {index, total, "--shard"};
}

Environment process_environment() {
  Environment env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const auto eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

}  // namespace shishu::cli
