#include "cli/run_command.h"

#include <CLI/CLI.hpp>
#include <benchmark/benchmark.h>
#include <torch/cuda.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include <unistd.h>

#include "bench/axis_values.h"
#include "bench/gbench_driver.h"
#include "bench/stats.h"
#include "cli/command_line.h"
#include "cli/progress.h"
#include "models/dtype.h"
#include "models/registry.h"
#include "profiles/profiler.h"
#include "reports/build_info.h"
#include "reports/journal.h"
#include "reports/report_json.h"
#include "reports/summary.h"

namespace fs = std::filesystem;

namespace shishu::cli {
namespace {

// Finished points are already journaled; on Ctrl-C say how to pick up from there.
char g_resume_hint[1024];
extern "C" void on_interrupt(int) {
  const ssize_t ignored = ::write(STDERR_FILENO, g_resume_hint, std::strlen(g_resume_hint));
  (void)ignored;
  std::_Exit(130);
}

std::string utc_now(const char* format = "%Y-%m-%dT%H:%M:%SZ") {
  const std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, format, std::gmtime(&t));
  return buf;
}

std::string hostname() {
  char buf[256] = {0};
  return ::gethostname(buf, sizeof buf - 1) == 0 ? buf : "unknown";
}

bench::Overrides overrides_from(const RunOptions& o) {
  bench::Overrides ov;
  if (o.phases) ov.phases = bench::parse_string_list("--phase", *o.phases);
  if (o.models) ov.models = bench::parse_string_list("--models", *o.models);
  if (o.dtypes) ov.dtypes = bench::parse_string_list("--dtype", *o.dtypes);
  if (o.devices) ov.devices = bench::parse_string_list("--device", *o.devices);
  if (o.modes) ov.modes = bench::parse_string_list("--mode", *o.modes);
  if (o.cuda_graphs) ov.modes = std::vector<std::string>{"cuda_graphs"};
  if (o.batch) ov.batch = bench::parse_int_list("--batch", *o.batch);
  if (o.seq) ov.seq = bench::parse_int_list("--seq", *o.seq);
  if (o.prefill) ov.prefill = bench::parse_int_list("--prefill", *o.prefill);
  if (o.gen) ov.gen = bench::parse_int_list("--gen", *o.gen);
  ov.warmup = o.warmup;
  ov.repetitions = o.repetitions;
  ov.seed = o.seed;
  return ov;
}

// Everything a point needs is checked before anything runs, so a typo fails in a
// second with exit 2 instead of an hour into a sweep.
void validate_points(const std::vector<bench::Point>& points) {
  std::set<std::string> models, dtypes, devices;
  for (const auto& p : points) {
    models.insert(p.model);
    dtypes.insert(p.dtype);
    devices.insert(p.device);
  }
  for (const auto& m : models) models::resolve_model(m);
  for (const auto& d : dtypes) models::parse_dtype(d);
  for (const auto& d : devices) bench::parse_device(d);
}

// What a run folder was started with. --resume refuses to continue it with another
// sweep, other settings or another build: the finished points would not be comparable.
nlohmann::json run_identity(const bench::Sweep& sweep, const std::vector<bench::Point>& points, double slowdown_pct) {
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& p : points) ids.push_back(p.id());
  const auto& build = reports::build_info();
  return {{"preset", sweep.name},
          {"settings", {{"warmup", sweep.settings.warmup}, {"repetitions", sweep.settings.repetitions},
                        {"seed", sweep.settings.seed}, {"inject_slowdown_pct", slowdown_pct}}},
          {"git_commit", build.git_commit},
          {"build_type", build.build_type},
          {"points", ids}};
}

void check_resumable(const std::string& dir, const nlohmann::json& now) {
  std::ifstream in(dir + "/run.json");
  if (!in) throw std::invalid_argument(dir + " has no run.json: not a run folder this version can resume");
  const nlohmann::json then = nlohmann::json::parse(in, nullptr, false);
  for (const char* key : {"preset", "settings", "git_commit", "build_type", "points"}) {
    if (then.is_discarded() || then.value(key, nlohmann::json()) != now[key]) {
      throw std::invalid_argument("cannot resume " + dir + ": its '" + key +
                                  "' differs from this invocation's; resume with the same command and binary");
    }
  }
}

// The run folder and the points already finished in it. A fresh run refuses a folder
// that holds a run; --resume refuses one started with another sweep or build.
std::string open_run_folder(const RunOptions& o, const bench::Sweep& sweep, const nlohmann::json& identity,
                            std::vector<bench::PointResult>* finished) {
  std::string dir = o.resume_dir.empty() ? o.out_dir : o.resume_dir;
  if (dir.empty()) dir = "reports/runs/" + utc_now("%Y%m%dT%H%M%SZ") + "-" + fs::path(sweep.name).stem().string();
  const std::string journal_path = dir + "/journal.jsonl";
  if (!o.resume_dir.empty()) {
    check_resumable(dir, identity);
    std::vector<std::string> warnings;
    *finished = reports::Journal::read(journal_path, &warnings);
    for (const auto& w : warnings) std::cerr << "shishu-bench: warning: " << w << "\n";
    return dir;
  }
  if (fs::exists(journal_path)) {
    throw std::invalid_argument(dir + " already holds a run; use --resume " + dir + " to continue it, or another --out");
  }
  fs::create_directories(dir);
  reports::write_file_atomic(dir + "/run.json", identity.dump(2) + "\n");
  return dir;
}

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  try {
    if (slash != std::string::npos) return {std::stoi(text.substr(0, slash)), std::stoi(text.substr(slash + 1))};
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("--shard '" + text + "' must be i/N, e.g. 0/4");
}

nlohmann::json make_context(const RunOptions& o, const bench::Sweep& sweep, bench::PointRunner& runner,
                            const std::vector<bench::Point>& points, const std::string& started) {
  const auto& build = reports::build_info();
  nlohmann::json devices = nlohmann::json::array();
  std::set<std::string> seen;
  for (const auto& p : points) {
    if (!seen.insert(p.device).second) continue;
    const auto& d = runner.device_info(p.device);
    devices.push_back({{"device", p.device},
                       {"kind", d.kind},
                       {"name", d.name},
                       {"compute_units", d.compute_units},
                       {"torch_threads", d.torch_threads},
                       {"memory_bytes", d.memory_bytes},
                       {"compute_capability", d.compute_capability},
                       {"driver_version", d.driver_version},
                       {"cuda_runtime_version", d.cuda_runtime_version},
                       {"peak_bf16_flops", d.peak_bf16_flops},
                       {"peak_fp32_flops", d.peak_fp32_flops},
                       {"peak_bandwidth_bytes_per_s", d.peak_bandwidth},
                       {"environment_source", runner.monitor(p.device).source()}});
  }
  nlohmann::json warnings = nlohmann::json::array();
  if (build.build_type != "Release") {
    warnings.push_back("built as '" + build.build_type + "', not Release: timings are not representative");
  }
  if (build.git_dirty) warnings.push_back("built from a working tree with uncommitted changes");
  if (o.inject_slowdown_pct > 0) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%g", o.inject_slowdown_pct);
    warnings.push_back(std::string("TESTING ONLY: every timing includes an injected busy-wait of ") + pct +
                       "% (--inject-slowdown); not a real measurement");
  }
  std::set<std::string> dtypes;
  for (const auto& p : points) dtypes.insert(p.dtype);
  return {{"tool", "shishu-bench " + build.version},
          {"git_commit", build.git_commit},
          {"git_dirty", build.git_dirty},
          {"build_type", build.build_type},
          {"compiler", build.compiler},
          {"libtorch_version", bench::torch_version()},
          {"cuda_available", torch::cuda::is_available()},
          {"devices", devices},
          {"host", hostname()},
          {"dtypes", dtypes},
          {"preset", sweep.name},
          {"preset_description", sweep.description},
          {"settings", {{"warmup", sweep.settings.warmup}, {"repetitions", sweep.settings.repetitions},
                        {"seed", sweep.settings.seed}}},
          {"shard", o.shard.empty() ? "0/1" : o.shard},
          {"profile", o.profile},
          {"profile_once", o.profile_once},
          {"inject_slowdown_pct", o.inject_slowdown_pct},
          {"command_line", o.command_line},
          {"started_at", started},
          {"warnings", warnings}};
}

}  // namespace

void add_run_options(CLI::App& run, RunOptions& o) {
  run.add_option("--preset", o.preset, "Preset name (paper, cpu-default, ci-gpu) or a JSON file");
  run.add_option("--phase", o.phases, "Phases to keep: forward, forward_backward, generate");
  run.add_option("--models", o.models, "Models: registry names or <base>:<layout>, comma-separated");
  run.add_option("--dtype", o.dtypes, "fp32, bf16, fp16 (list)");
  run.add_option("--device", o.devices, "cpu, cuda (list)");
  run.add_option("--mode", o.modes, "eager, cuda_graphs (list)");
  run.add_flag("--cuda-graphs", o.cuda_graphs, "Shorthand for --mode cuda_graphs");
  run.add_option("--batch", o.batch, "Batch sizes: list and ranges, e.g. 1-256*2");
  run.add_option("--seq", o.seq, "Sequence lengths for forward phases, e.g. 64-4096*2");
  run.add_option("--prefill", o.prefill, "Prompt lengths for generate");
  run.add_option("--gen", o.gen, "New tokens for generate (>= 2)");
  run.add_option("--reps", o.repetitions, "Timed repetitions per point");
  run.add_option("--warmup", o.warmup, "Untimed warm-up runs per point");
  run.add_option("--seed", o.seed, "Seed for weights and input tokens");
  run.add_option("--out", o.out_dir, "Output folder (default: reports/runs/<UTC time>-<preset>)");
  run.add_option("--resume", o.resume_dir, "Continue an interrupted run in this folder, skipping finished points");
  run.add_option("--shard", o.shard, "Run shard i of N (i/N): a deterministic, balanced subset of the points");
  run.add_flag("--list", o.list_only, "Print the expanded points and exit");
  run.add_flag("--profile", o.profile,
               "After each point's repetitions, run one untimed pass under the profiler (CUPTI on CUDA, "
               "RecordFunction on the CPU); traces go to <out>/profiles/, summaries into the report");
  run.add_flag("--profile-once", o.profile_once,
               "Run each point once (one repetition after the warm-up), for nsys/ncu; NVTX ranges name the phases");
  run.add_option("--inject-failure", o.inject_failure, "Testing: ID_SUBSTRING=oom|error fails matching points")
      ->group("Testing");
  run.add_option("--inject-slowdown", o.inject_slowdown_pct,
                 "Testing: lengthen every timed interval by PCT percent with a busy-wait (CPU only); the report "
                 "says so in its context and warnings")
      ->group("Testing")
      ->check(CLI::Range(0.0, 1000.0));
}

int run_sweep_command(RunOptions o) {
  const bool have_cuda = torch::cuda::is_available();
  if (o.preset.empty()) o.preset = have_cuda ? "ci-gpu" : "cpu-default";
  bench::Sweep sweep = bench::load_sweep(o.preset);
  bench::Overrides overrides = overrides_from(o);
  if (o.profile_once) overrides.repetitions = 1;
  bench::apply_overrides(sweep, overrides);
  std::vector<bench::Point> points = bench::expand(sweep);
  if (!o.shard.empty()) {
    const auto [index, count] = parse_shard(o.shard);
    points = bench::shard(points, index, count);
  }
  validate_points(points);
  bench::TestingHooks hooks;
  hooks.slowdown_pct = o.inject_slowdown_pct;
  if (o.inject_slowdown_pct > 0) {
    for (const auto& p : points) {
      if (p.device != "cpu") {
        throw std::invalid_argument("--inject-slowdown works on the CPU clock only, and point '" + p.id() +
                                    "' runs on " + p.device);
      }
    }
  }
  for (const auto& spec : o.inject_failure) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || (spec.substr(eq + 1) != "oom" && spec.substr(eq + 1) != "error")) {
      throw std::invalid_argument("--inject-failure '" + spec + "' must be ID_SUBSTRING=oom|error");
    }
    hooks.failures[spec.substr(0, eq)] = spec.substr(eq + 1);
  }
  // Google Benchmark's own flags are checked with ours, before anything runs.
  std::vector<std::string> args = {"shishu-bench"};
  args.insert(args.end(), o.benchmark_args.begin(), o.benchmark_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  if (benchmark::ReportUnrecognizedArguments(argc, argv.data())) return kExitBadInput;

  if (o.list_only) {
    for (const auto& p : points) std::cout << p.id() << "\n";
    std::cerr << points.size() << " points\n";
    return 0;
  }

  std::vector<bench::PointResult> finished;
  const std::string dir = open_run_folder(o, sweep, run_identity(sweep, points, o.inject_slowdown_pct), &finished);
  const std::string journal_path = dir + "/journal.jsonl";
  std::map<std::string, bench::PointResult> by_id;
  for (auto& r : finished) by_id[r.point.id()] = r;

  if (o.profile) profiles::Profiler::enable_nvtx_injection();  // before the first NVTX range
  bench::PointRunner runner(sweep.settings, hooks, o.profile ? dir + "/profiles" : "");
  const std::string started = utc_now();
  nlohmann::json context = make_context(o, sweep, runner, points, started);
  for (const auto& w : context["warnings"]) std::cerr << "shishu-bench: WARNING: " << w.get<std::string>() << "\n";
  reports::Journal journal(journal_path);
  std::snprintf(g_resume_hint, sizeof g_resume_hint,
                "\nshishu-bench: interrupted; finished points are in %s; continue with --resume %s\n",
                journal_path.c_str(), dir.c_str());
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  std::cerr << "shishu-bench: " << points.size() << " points (" << by_id.size() << " already finished), writing to "
            << dir << "\n";

  std::vector<bench::Point> to_run;
  Progress progress(points.size() - by_id.size());
  for (const auto& p : points) {
    if (by_id.count(p.id())) continue;
    const std::string reason = bench::PointRunner::skip_reason(p);
    if (reason.empty()) {
      to_run.push_back(p);
      continue;
    }
    bench::PointResult skipped;
    skipped.point = p;
    skipped.status = bench::Status::kSkipped;
    skipped.message = reason;
    journal.append(skipped);
    by_id[p.id()] = skipped;
    progress.point_done(skipped);
  }
  if (!to_run.empty()) {
    const auto on_done = [&](const bench::PointResult& r) {
      journal.append(r);  // first, so an interruption right after loses nothing
      progress.point_done(r);
    };
    for (const auto& r : bench::run_with_google_benchmark(to_run, sweep.settings, runner, on_done)) by_id[r.point.id()] = r;
  }

  // The report lists points in sweep order; points filtered out by
  // --benchmark_filter did not run and are not in it.
  std::vector<bench::PointResult> ordered;
  for (const auto& p : points) {
    if (auto it = by_id.find(p.id()); it != by_id.end()) ordered.push_back(it->second);
  }
  context["finished_at"] = utc_now();
  if (!o.resume_dir.empty()) context["resumed"] = true;
  reports::write_file_atomic(dir + "/report.json", reports::make_report(context, ordered).dump(2) + "\n");
  const std::string summary = reports::markdown_summary(ordered);
  reports::write_file_atomic(dir + "/summary.md", summary);
  std::cout << "\n" << summary << "\nreport: " << dir << "/report.json\n";

  int errors = 0;
  for (const auto& r : ordered) errors += r.status == bench::Status::kError;
  if (errors) std::cerr << "shishu-bench: " << errors << " point(s) failed with an error\n";
  return errors ? kExitFailed : kExitOk;
}

}  // namespace shishu::cli
