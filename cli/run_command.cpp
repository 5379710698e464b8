#include "cli/run_command.h"

#include <benchmark/benchmark.h>
#include <torch/cuda.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include <unistd.h>

#include "base/utf8.h"
#include "bench/gbench_driver.h"
#include "bench/memory_snapshot.h"
#include "bench/phase_row.h"
#include "bench/point_cost.h"
#include "bench/preset.h"
#include "bench/shard_plan.h"
#include "bench/stats.h"
#include "cli/command_line.h"
#include "cli/point_list.h"
#include "cli/run_context.h"
#include "cli/run_folder.h"
#include "cli/shard_cost.h"
#include "cli/shard_env.h"
#include "cli/progress.h"
#include "models/dtype.h"
#include "models/hf_format.h"
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

// Everything a point needs is checked before anything runs, so a typo fails in a
// second with exit 2 instead of an hour into a sweep. Every other axis is a value parsed
// where its text entered; whether this machine has a device matters to running, not
// listing.
void validate_points(const std::vector<bench::Point>& points) {
  std::set<std::string> models;
  for (const auto& p : points) models.insert(p.model);
  for (const auto& m : models) models::resolve_model_or_config(m);
}

// The models a sweep over a checkpoint's weights runs: the one its config.json names
// (a registry name where the widths and layout match one, else the config.json itself),
// or each of --models, every one checked against the file (keys and shapes) up front,
// so a wrong checkpoint fails in a second with exit 2, before anything is built.
std::vector<std::string> checkpoint_models(const std::string& weights,
                                           const std::optional<std::vector<std::string>>& asked) {
  if (asked) {
    for (const auto& m : *asked) models::config_for_weights(weights, m);
    return *asked;
  }
  const models::ModelConfig config = models::config_for_weights(weights, "");
  const bool named = config.name.rfind("custom:", 0) != 0;
  return {named ? config.name : models::locate_checkpoint(weights).config};
}

// Running (unlike listing) refuses a sweep with a point on a device this machine lacks.
void require_devices_here(const std::vector<bench::Point>& points) {
  std::map<base::DeviceName, size_t> needing;
  for (const auto& p : points) {
    if (bench::skip_reason(p).empty()) ++needing[p.device];
  }
  for (const auto& [device, count] : needing) {
    const std::string reason = bench::device_unavailable_reason(device);
    if (reason.empty()) continue;
    throw std::invalid_argument("device '" + device.str() + "' requested by " + std::to_string(count) +
                                " point(s), but " + reason + " (--list shows the plan on any machine)");
  }
}

// The devices whose ceilings a run measures, each with the matmul dtypes its points
// compute in: CUDA devices unless --no-ceilings, the CPU only with --ceilings.
std::map<base::DeviceName, std::vector<c10::ScalarType>> ceiling_plan(const std::vector<bench::Point>& points,
                                                                      std::optional<bool> asked) {
  std::map<base::DeviceName, std::vector<c10::ScalarType>> plan;
  for (const auto& p : points) {
    const bool wanted = asked.value_or(p.device.is_cuda());
    if (!wanted || !bench::skip_reason(p).empty()) continue;
    auto& dtypes = plan[p.device];
    const c10::ScalarType compute = models::scalar_type(p.dtype.compute);
    if (std::find(dtypes.begin(), dtypes.end(), compute) == dtypes.end()) dtypes.push_back(compute);
  }
  return plan;
}

// --l2-flush changes only the phases whose rows run cold: a sweep of none of them would
// be labelled cold and measure warm.
void require_a_cold_phase(const std::vector<bench::Point>& points) {
  for (const auto& p : points) {
    if (bench::phase_row(p.phase).cold_cache) return;
  }
  std::string cold;
  for (const bench::PhaseRow* row : bench::phase_rows()) {
    if (row->cold_cache) cold += (cold.empty() ? "" : ", ") + row->name;
  }
  throw std::invalid_argument("--l2-flush applies to " + cold + ", and this sweep has none of them (" + points.front().phase +
                              " keeps its caches warm): drop the flag, or add one of those phases");
}


// The shards of the sweep by the rule asked for, every point's cost its predicted seconds
// (a point that never runs costs nothing): nominal, or by the planner's model
// (--shard-cost, cli/shard_cost.h). *source says which.
bench::ShardPlan plan_shards_of(const std::vector<bench::Point>& points, const bench::SweepSettings& settings,
                                int count, const RunOptions& o, std::string* source) {
  validate_points(points);  // the costs resolve every model
  const bench::PointCosts costs = bench::point_costs(
      points, settings, o.shard_cost.empty() ? bench::RepetitionModel{} : planner_repetition_model(o.shard_cost));
  *source = cost_source(costs, o.shard_cost);
  return bench::plan_shards(points, costs.seconds, count,
                            o.shard_by == "count" ? bench::ShardRule::kCount : bench::ShardRule::kTime);
}

void print_shard_plan(const bench::ShardPlan& plan, int index, const std::string& source, std::ostream& err) {
  for (size_t i = 0; i < plan.load.size(); ++i) {
    err << (int(i) == index ? "* " : "  ") << "shard " << i << "/" << plan.load.size() << ": " << plan.points[i]
        << " points, predicted " << plan.load[i] << " s\n";
  }
  err << "longest shard over the mean: " << plan.imbalance() << " (predicted; " << source << ")\n";
}

}  // namespace

int run_sweep_command(RunOptions o) {
  const bool have_cuda = torch::cuda::is_available();
  if (o.preset.empty()) o.preset = have_cuda ? "ci-gpu" : "cpu-default";
  bench::Sweep sweep = bench::load_sweep(o.preset);
  o.profile = o.profile || sweep.profile;
  bench::Overrides overrides = overrides_from(o);
  std::string weights_file;
  if (!o.weights.empty()) {
    weights_file = models::locate_checkpoint(o.weights).weights;
    overrides.models = checkpoint_models(o.weights, overrides.models);
  }
  if (o.profile_once) overrides.repetitions = 1;
  bench::apply_overrides(sweep, overrides);
  sweep.settings.l2_flush = sweep.settings.l2_flush || o.l2_flush;
  std::vector<bench::Point> points = bench::expand(sweep);
  if (sweep.settings.l2_flush) require_a_cold_phase(points);
  const ShardChoice shard = choose_shard(o.shard, o.shard_count, process_environment());
  if (o.shard == "auto") std::cerr << "shishu-bench: shard " << shard.text() << " (" << shard.source << ")\n";
  o.shard = shard.text();
  o.shard_source = shard.source;
  if (!o.shard_cost.empty() && (shard.count < 2 || o.shard_by != "time")) {
    throw std::invalid_argument("--shard-cost " + o.shard_cost + " prices the shards of --shard i/N with N > 1 and " +
                                "--shard-by time; here there is " +
                                (shard.count < 2 ? "no sharding" : "--shard-by " + o.shard_by));
  }
  if (shard.count > 1) {
    for (const auto& p : points) o.sweep_point_ids.push_back(p.id());
    std::string source;
    const bench::ShardPlan plan = plan_shards_of(points, sweep.settings, shard.count, o, &source);
    if (o.list_only) print_shard_plan(plan, shard.index, source, std::cerr);
    points = bench::shard_points(points, plan, shard.index);
  }
  validate_points(points);
  bench::TestingHooks hooks;
  hooks.slowdown_pct = o.inject_slowdown_pct;
  // On CUDA the slowdown follows the previous repetition's intervals (bench/clock.h), so
  // the timed ones must come after at least one warm-up.
  if (o.inject_slowdown_pct > 0 && sweep.settings.warmup < 1) {
    for (const auto& p : points) {
      if (p.device.is_cuda()) {
        throw std::invalid_argument("--inject-slowdown on " + p.device.str() + " (point '" + p.id() +
                                    "') needs at least one warm-up: --warmup 0 would leave the first repetition unslowed");
      }
    }
  }
  for (const auto& spec : o.inject_failure) {
    const auto eq = spec.find('=');
    const std::string kind = eq == std::string::npos ? "" : spec.substr(eq + 1);
    // An empty ID_SUBSTRING would match, and fail, every point.
    if (eq == 0 || eq == std::string::npos || (kind != "oom" && kind != "error" && kind.rfind("error:", 0) != 0)) {
      throw std::invalid_argument("--inject-failure '" + spec +
                                  "' must be ID_SUBSTRING=oom|error|error:MESSAGE, with a non-empty ID_SUBSTRING");
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
    print_point_list(points, std::cout, std::cerr);
    return 0;
  }
  require_devices_here(points);

  std::vector<bench::PointResult> finished;
  const nlohmann::json identity = run_identity(sweep, points, o.inject_slowdown_pct, weights_file);
  const std::string dir = open_run_folder(o.out_dir, o.resume_dir, sweep, identity, &finished);
  const std::string journal_path = dir + "/journal.jsonl";
  std::map<std::string, bench::PointResult> by_id;
  for (auto& r : finished) by_id[r.point.id()] = r;

  if (o.profile) profiles::Profiler::enable_nvtx_injection();  // before the first NVTX range
  bench::PointRunner runner(sweep.settings, hooks, o.profile ? dir + "/profiles" : "", weights_file);
  if (o.memory_snapshot) {
    runner.record_memory_snapshots(dir + "/memory");
    for (const auto& p : points) {
      const std::string why = bench::memory_snapshot_unavailable(bench::resolve_device(p.device));
      if (why.empty()) continue;
      std::cerr << "shishu-bench: note: --memory-snapshot skips " << p.device.str() << " points: " << why << "\n";
      break;
    }
  }
  const std::string started = utc_now();
  for (const auto& [device, dtypes] : ceiling_plan(points, o.ceilings)) {
    std::cerr << "shishu-bench: measuring the copy and matmul ceilings of " << device.str() << "\n";
    runner.measure_ceilings(device, dtypes);
  }
  nlohmann::json context = make_context(o, sweep, runner, points, started);
  for (const auto& w : context["warnings"]) std::cerr << "shishu-bench: WARNING: " << w.get<std::string>() << "\n";
  // A result that cannot be written (a full disk) ends the run with exit 1; the journal
  // holds every point finished before it, whole, so the run can continue.
  std::vector<bench::PointResult> ordered;
  try {
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
      const std::string reason = bench::skip_reason(p);
      if (reason.empty()) {
        to_run.push_back(p);
        continue;
      }
      bench::PointResult skipped;
      skipped.point = p;
      skipped.status = bench::Status::kSkipped;
      skipped.set_message(reason);
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
    for (const auto& p : points) {
      if (auto it = by_id.find(p.id()); it != by_id.end()) ordered.push_back(it->second);
    }
    context["finished_at"] = utc_now();
    if (!o.resume_dir.empty()) context["resumed"] = true;
    reports::write_file_atomic(dir + "/report.json", base::json_text(reports::make_report(context, ordered), 2) + "\n");
    const std::string summary = reports::markdown_summary(ordered, context);
    reports::write_file_atomic(dir + "/summary.md", summary);
    std::cout << "\n" << summary << "\nreport: " << dir << "/report.json\n";
  } catch (const reports::WriteError& e) {
    throw reports::WriteError(std::string(e.what()) + "\nshishu-bench: the points finished so far are in " + journal_path +
                              "; free some space, then continue with --resume " + dir);
  }

  int errors = 0;
  for (const auto& r : ordered) errors += r.status == bench::Status::kError;
  if (errors) std::cerr << "shishu-bench: " << errors << " point(s) failed with an error\n";
  return errors ? kExitFailed : kExitOk;
}

}  // namespace shishu::cli
