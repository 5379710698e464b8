#include "cli/run_context.h"

#include <torch/cuda.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "base/utf8.h"
#include "bench/gbench_driver.h"
#include "cli/run_folder.h"
#include "models/hf_format.h"
#include "reports/build_info.h"

namespace fs = std::filesystem;

namespace shishu::cli {
namespace {

std::string hostname() {
  char buf[256] = {0};
  return ::gethostname(buf, sizeof buf - 1) == 0 ? buf : "unknown";
}

// The library drives repetitions but times nothing of ours; its build type is recorded
// with the reason it does not matter, so a reader of the report need not wonder.
nlohmann::json google_benchmark_context() {
  nlohmann::json g = {{"library_build_type", bench::google_benchmark_build_type()}, {"timing", "manual"}};
  if (g["library_build_type"] == "debug") g["note"] = bench::kGoogleBenchmarkDebugNote;
  return g;
}

// The checkpoint the weights came from, or null for the seeded init.
nlohmann::json weights_context(const std::string& weights) {
  if (weights.empty()) return nullptr;
  const std::string file = models::locate_checkpoint(weights).weights;
  return {{"path", fs::absolute(file).string()}, {"bytes", fs::file_size(file)}};
}

// The ceilings measured on the device in this run, one entry per matmul dtype.
nlohmann::json ceilings_json(const bench::DeviceInfo& d) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [dtype, c] : d.measured) {
    out.push_back({{"matmul_dtype", c10::toString(dtype)}, {"copy_bytes_per_s", c.copy_bytes_per_s},
                   {"matmul_flops_per_s", c.matmul_flops_per_s}, {"method", c.method()}});
  }
  return out;
}

}  // namespace

nlohmann::json make_context(const RunOptions& o, const bench::Sweep& sweep, bench::PointRunner& runner,
                            const std::vector<bench::Point>& points, const std::string& started) {
  const auto& build = reports::build_info();
  nlohmann::json devices = nlohmann::json::array();
  std::set<base::DeviceName> seen;
  for (const auto& p : points) {
    if (!seen.insert(p.device).second) continue;
    const auto& d = runner.device_info(p.device);
    devices.push_back({{"device", p.device.str()},
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
                       {"environment_source", runner.monitor(p.device).source()},
                       {"last_level_cache", {{"bytes", d.last_level_cache_bytes}, {"source", d.last_level_cache_source}}},
                       {"measured_ceilings", ceilings_json(d)}});
  }
  nlohmann::json warnings = nlohmann::json::array();
  if (build.build_type != "Release") {
    warnings.push_back("built as '" + build.build_type + "', not Release: timings are not representative");
  }
  if (build.git_dirty) warnings.push_back("built from a working tree with uncommitted changes");
  if (o.inject_slowdown_pct > 0) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%g", o.inject_slowdown_pct);
    warnings.push_back(std::string("TESTING ONLY: every timing includes an injected wait of ") + pct +
                       "% (--inject-slowdown); not a real measurement");
  }
  std::set<std::string> dtypes;
  for (const auto& p : points) dtypes.insert(p.dtype.name);
  // Paths, the command line, preset and device names come from outside: valid UTF-8 from here on.
  return base::valid_utf8_tree(nlohmann::json{{"tool", "shishu-bench " + build.version},
          {"git_commit", build.git_commit},
          {"git_dirty", build.git_dirty},
          {"build_type", build.build_type},
          {"compiler", build.compiler},
          {"libtorch_version", bench::torch_version()},
          {"google_benchmark", google_benchmark_context()},
          {"cuda_available", torch::cuda::is_available()},
          {"devices", devices},
          {"host", hostname()},
          {"dtypes", dtypes},
          {"preset", sweep.name},
          {"preset_description", sweep.description},
          {"settings", {{"warmup", sweep.settings.warmup}, {"repetitions", sweep.settings.repetitions},
                        {"seed", sweep.settings.seed}, {"sampling", sampling_json(sweep.settings)},
                        {"cache", cache_label(sweep.settings)}}},
          {"shard", o.shard.empty() ? "0/1" : o.shard},
          {"shard_source", o.shard_source.empty() ? "none" : o.shard_source},
          {"shard_cost", o.shard_cost.empty() ? "nominal" : o.shard_cost},
          {"sweep_points", o.sweep_point_ids},
          {"profile", o.profile},
          {"profile_once", o.profile_once},
          {"inject_slowdown_pct", o.inject_slowdown_pct},
          {"weights", weights_context(o.weights)},
          {"command_line", o.command_line},
          {"started_at", started},
          {"warnings", warnings}});
}

}  // namespace shishu::cli
