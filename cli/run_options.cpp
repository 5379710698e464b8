// `run`'s command line: its options (the sweep's axes are cli/sweep_options.cpp's).
#include <CLI/CLI.hpp>

#include "cli/output_target.h"
#include "cli/run_command.h"

namespace shishu::cli {

void add_run_options(CLI::App& run, RunOptions& o) {
  add_sweep_options(run, o);
  run.add_flag("--cuda-graphs", o.cuda_graphs, "Shorthand for --mode cuda_graphs");
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
  run.add_option("--shard-cost", o.shard_cost,
                 "With --shard (by time): price each point by this layout planner cost model (shishu-report "
                 "calibrate --out) instead of the nominal roofline; points it cannot predict get the nominal cost "
                 "scaled to its unit");
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
