// `run`'s command line: its options, and the overrides they make to a preset.
#include <CLI/CLI.hpp>

#include "bench/axis_values.h"
#include "bench/phase_row.h"
#include "cli/output_target.h"
#include "cli/run_command.h"

namespace shishu::cli {

namespace {

// A list flag's items, each through `parse`: where the text of an axis enters.
template <typename Parse>
auto parse_list(const char* flag, const std::optional<std::string>& text, Parse parse) {
  return bench::parse_each(flag, bench::parse_string_list(flag, *text), parse);
}

}  // namespace

bench::Overrides overrides_from(const RunOptions& o) {
  bench::Overrides ov;
  if (o.phases) ov.phases = parse_list("--phase", o.phases, [](std::string_view s) { return bench::phase_row(s).name; });
  if (o.models) ov.models = bench::parse_string_list("--models", *o.models);
  if (o.dtypes) ov.dtypes = parse_list("--dtype", o.dtypes, models::parse_dtype_name);
  if (o.devices) ov.devices = parse_list("--device", o.devices, base::DeviceName::parse);
  if (o.modes) ov.modes = parse_list("--mode", o.modes, models::parse_backend);
  if (o.cuda_graphs) ov.modes = std::vector<models::Backend>{models::parse_backend("cuda_graphs")};
  for (const auto& [axis, text] : o.shape) {
    if (text) ov.shape[axis] = bench::parse_int_list(bench::axis_row(axis).flag, *text);
  }
  ov.warmup = o.warmup;
  ov.repetitions = o.repetitions;
  ov.noise_pct = o.noise_pct;
  ov.noise_timeout_s = o.noise_timeout_s;
  ov.seed = o.seed;
  return ov;
}

void add_run_options(CLI::App& run, RunOptions& o) {
  run.add_option("--preset", o.preset, "Preset name (paper, cpu-default, ci-gpu) or a JSON file");
  run.add_option("--phase", o.phases, "Phases to keep (list): " + bench::phase_names());
  run.add_option("--models", o.models, "Models: registry names or <base>:<layout>, comma-separated");
  std::string dtypes;
  for (const auto& d : models::dtype_table()) dtypes += (dtypes.empty() ? "" : ", ") + d.name;
  run.add_option("--dtype", o.dtypes, dtypes + " (list)");
  run.add_option("--device", o.devices, "cpu, cuda, cuda:N (list)");
  run.add_option("--mode", o.modes, "Decode backends, for the phases that take one (list). " + models::backend_help());
  run.add_flag("--cuda-graphs", o.cuda_graphs, "Shorthand for --mode cuda_graphs");
  for (const auto& row : bench::kAxisRows) run.add_option(row.flag, o.shape[row.axis], row.help);
  run.add_option("--reps", o.repetitions, "Timed repetitions per point: a fixed count (overrides a preset's sampling)");
  run.add_option("--noise", o.noise_pct,
                 "Sample each point until its median is known to within PCT % (95% interval), at least 10 samples "
                 "and 0.5 s, at most --noise-timeout; points stopped above it are flagged 'unsettled'");
  run.add_option("--noise-timeout", o.noise_timeout_s, "Seconds of sampling per point before --noise gives up (15)");
  run.add_option("--warmup", o.warmup, "Untimed warm-up runs per point");
  run.add_option("--seed", o.seed, "Seed for weights and input tokens");
  run.add_option("--weights", o.weights,
                 "Benchmark these weights: a checkpoint folder (model.safetensors, config.json) or a .safetensors "
                 "file; the model comes from its config.json, or is checked against --models");
  run.add_option("--out", o.out_dir, "Output folder (default: reports/runs/<UTC time>-<preset>)")->check(writable_folder());
  run.add_option("--resume", o.resume_dir, "Continue an interrupted run in this folder, skipping finished points");
  run.add_option("--shard", o.shard,
                 "Run shard i of N (i/N): a deterministic, balanced subset of the points; 'auto' reads i and N from "
                 "a Slurm array, a Kubernetes Indexed Job or SHISHU_SHARD_INDEX/SHISHU_SHARD_COUNT");
  run.add_option("--shard-by", o.shard_by,
                 "How shards are balanced: time (by each point's predicted seconds, each model's points kept "
                 "together where that costs little) or count (round-robin)")
      ->check(CLI::IsMember({"time", "count"}));
  run.add_option("--shard-count", o.shard_count, "With --shard auto: the number of shards, where the scheduler does not say")
      ->check(CLI::Range(1, 1 << 20));
  run.add_flag("--list", o.list_only, "Print the expanded points and exit");
  run.add_flag("--profile", o.profile,
               "After each point's repetitions, run one untimed pass under the profiler (CUPTI on CUDA, "
               "RecordFunction on the CPU); traces go to <out>/profiles/, summaries into the report");
  run.add_flag("--ceilings,!--no-ceilings", o.ceilings,
               "Measure each device's copy and matmul ceilings before its points, and set every figure against them "
               "(default: on for CUDA devices, off on the CPU)");
  run.add_flag("--l2-flush", o.l2_flush,
               "Cold samples: overwrite the last-level cache (2x its size) before each forward and training sample, "
               "outside its interval; the report's settings say 'cold'");
  run.add_flag("--memory-snapshot", o.memory_snapshot,
               "After each CUDA point's repetitions, one untimed pass with PyTorch's allocator history recorded; "
               "the snapshot goes to <out>/memory/ (open it at pytorch.org/memory_viz)");
  run.add_flag("--profile-once", o.profile_once,
               "Run each point once (one repetition after the warm-up), for nsys/ncu; NVTX ranges name the phases");
  run.add_option("--inject-failure", o.inject_failure,
                 "Testing: ID_SUBSTRING=oom|error|error:MESSAGE fails matching points (MESSAGE: the error's text)")
      ->group("Testing");
  run.add_option("--inject-slowdown", o.inject_slowdown_pct,
                 "Testing: lengthen every timed interval by PCT percent (CPU: a busy-wait; CUDA: a device-side spin "
                 "on the timed stream); the report says so in its context and warnings")
      ->group("Testing")
      ->check(CLI::Range(0.0, 1000.0));
}

}  // namespace shishu::cli
