// `shishu-bench run`: expand a sweep, validate it, run it through Google Benchmark,
// journal every point, and write the final report atomically.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/sweep.h"

namespace CLI {
class App;
}

namespace shishu::cli {

struct RunOptions {
  std::string preset;  // name or path; empty: cpu-default without a GPU, ci-gpu with one
  std::optional<std::string> phases, models, dtypes, devices, modes;
  std::map<bench::Axis, std::optional<std::string>> shape;  // --batch, --seq, ...: one per row of bench/axes.h
  std::optional<int> warmup, repetitions;
  std::optional<double> noise_pct, noise_timeout_s;  // sample until settled (bench/sampling.h)
  std::optional<uint64_t> seed;
  bool cuda_graphs = false;
  std::string out_dir, resume_dir, shard;  // shard: i/N, auto or empty (cli/shard_env.h)
  std::optional<int> shard_count;           // --shard-count: with --shard auto, where the scheduler gives no count
  std::string shard_by = "time";            // --shard-by: time (balanced by predicted time) or count (round-robin)
  std::string shard_cost;                   // --shard-cost: the planner's cost model prices the points (cli/shard_cost.h)
  std::string shard_source;                 // set by run: where the shard came from (ShardChoice::source)
  std::vector<std::string> sweep_point_ids;  // set by run when sharded: the unsharded sweep, which merge completes
  std::string weights;  // checkpoint folder or .safetensors file; empty: seeded init
  bool list_only = false;
  bool profile = false;       // one extra untimed, traced pass per point
  bool profile_once = false;  // one repetition per point, for external profilers (nsys, ncu)
  bool memory_snapshot = false;
  bool l2_flush = false;  // cold samples (bench/cache_flush.h)  // PyTorch's allocator snapshot of each CUDA point
  std::optional<bool> ceilings;  // measure the roofline first; default: on CUDA devices only
  std::vector<std::string> inject_failure;  // ID_SUBSTRING=oom|error (testing)
  double inject_slowdown_pct = 0;            // busy-wait inside every timed interval (testing)
  std::vector<std::string> benchmark_args;  // --benchmark_* flags for Google Benchmark
  std::string command_line;
};

void add_run_options(CLI::App& run, RunOptions& options);  // cli/run_options.cpp
// The sweep's axes alone (--preset, --phase, --models, --dtype, --device, --mode and
// the shape axes), for run and for shishu-report predict (cli/sweep_options.cpp).
void add_sweep_options(CLI::App& app, RunOptions& options);
// The axes and settings the options replace in the preset (cli/sweep_options.cpp).
bench::Overrides overrides_from(const RunOptions& options);

// Exit status: 0 all points ok, skipped or oom; 1 some point errored; 2 bad input.
int run_sweep_command(RunOptions options);

}  // namespace shishu::cli
