#include "bench/point_runner.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bench/cache_flush.h"
#include "bench/clock.h"
#include "bench/cpu_tensor_memory.h"
#include "bench/derived_figures.h"
#include "bench/environment.h"
#include "bench/memory_probe.h"
#include "bench/memory_snapshot.h"
#include "bench/metrics.h"
#include "bench/sampling.h"
#include "bench/stats.h"
#include "bench/phase.h"
#include "models/analytic.h"
#include "models/checkpoint.h"
#include "models/dtype.h"
#include "models/hf_format.h"
#include "models/registry.h"
#include "models/transformer.h"
#include "profiles/profiler.h"
#include "profiles/range.h"
#include "profiles/summary.h"

namespace shishu::bench {

struct PointRunner::State {
  SweepSettings settings;
  TestingHooks hooks;
  std::string profile_dir;
  std::string snapshot_dir;  // --memory-snapshot; empty: none
  std::string weights_file;  // checkpoint every model is loaded from; empty: seeded init
  std::map<base::DeviceName, DeviceInfo> devices;

  std::string model_key;  // model|dtype|device|seed of the live model
  models::ModelConfig config;
  models::Transformer model{nullptr};
  c10::Device device{c10::DeviceType::CPU};
  models::Precision precision;

  std::unique_ptr<PreparedPhase> phase;  // the point's inputs and state
  std::unique_ptr<Timeline> timeline;
  std::unique_ptr<MemoryProbe> probe;
  std::unique_ptr<CacheFlusher> flusher;  // --l2-flush, for the live model's device
  std::map<base::DeviceName, std::unique_ptr<EnvironmentMonitor>> monitors;  // per device

  void drop_point_buffers() {
    phase.reset();
    timeline.reset();
  }
};

PointRunner::PointRunner(SweepSettings settings, TestingHooks hooks, std::string profile_dir,
                         std::string weights_file)
    : state_(std::make_unique<State>()) {
  install_cpu_tensor_counter();  // before the first model, so its weights are counted
  state_->weights_file = std::move(weights_file);
  state_->settings = settings;
  state_->hooks = std::move(hooks);
  state_->profile_dir = std::move(profile_dir);
}

PointRunner::~PointRunner() = default;

const DeviceInfo& PointRunner::device_info(const base::DeviceName& device) {
  auto it = state_->devices.find(device);
  if (it == state_->devices.end()) it = state_->devices.emplace(device, probe_device(resolve_device(device))).first;
  return it->second;
}

void PointRunner::measure_ceilings(const base::DeviceName& device, const std::vector<c10::ScalarType>& matmul_dtypes) {
  device_info(device);
  DeviceInfo& info = state_->devices.at(device);
  const c10::Device resolved = resolve_device(device);
  for (const auto dtype : matmul_dtypes) {
    if (!info.measured.count(dtype)) {
      info.measured.emplace(dtype, bench::measure_ceilings(resolved, dtype, default_ceiling_options(resolved)));
    }
  }
  release_cached_memory(resolved);  // the 2 GiB of copy buffers must not count against the first point
}

void PointRunner::record_memory_snapshots(std::string dir) { state_->snapshot_dir = std::move(dir); }

EnvironmentMonitor& PointRunner::monitor(const base::DeviceName& device) {
  auto& m = state_->monitors[device];
  if (!m) m = std::make_unique<EnvironmentMonitor>(device_info(device).pci_bus_id);
  return *m;
}

void PointRunner::release() {
  const c10::Device device = state_->device;
  state_->drop_point_buffers();
  state_->model = models::Transformer(nullptr);
  state_->model_key.clear();
  release_cached_memory(device);
}

Status classify_failure(const std::exception& e) {
  if (dynamic_cast<const PointSkipped*>(&e)) return Status::kSkipped;
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e)) return Status::kOom;
  const std::string what = e.what();
  // The CPU allocator reports exhaustion as a plain c10::Error.
  if (what.find("can't allocate memory") != std::string::npos || what.find("out of memory") != std::string::npos) {
    return Status::kOom;
  }
  return Status::kError;
}

namespace {

// Predicted peaks are within 5% of the counted ones (reports/PERFORMANCE.md); the rest
// covers what no allocator counts (the heap's slack, kernels' workspaces).
constexpr double kAdmissionMargin = 1.10;
constexpr double kAdmissionSlackBytes = 256e6;

}  // namespace

void PointRunner::admit(const Point& p, bool new_model) {
  const models::ModelConfig config = new_model ? models::resolve_model_or_config(p.model) : state_->config;
  const Prediction pred = phase_hooks(p.phase).predict(config, p);
  // A live model's weights are resident already, and inside the room's figure.
  const double resident = new_model ? 0 : double(models::weight_bytes(config, models::element_bytes(p.dtype.storage)));
  const double needs = pred.peak_bytes() * kAdmissionMargin + kAdmissionSlackBytes - resident;
  const std::string refusal = admission_refusal(needs, memory_room(resolve_device(p.device)));
  if (!refusal.empty()) {
    char why[128];
    std::snprintf(why, sizeof why, "; the predicted peak is %.2f GB, with a %.0f%% and %.0f MB margin",
                  pred.peak_bytes() / 1e9, 100 * (kAdmissionMargin - 1), kAdmissionSlackBytes / 1e6);
    throw PointSkipped(refusal + why);
  }
}

namespace {

// One repetition. Nothing queued earlier may leak into its time.
void run_once(PointRunner::State& s, PointResult* result) {
  synchronize(s.device);
  s.phase->run(*s.timeline, result);
}

}  // namespace

void PointRunner::prepare(const Point& p) {
  auto& s = *state_;
  s.drop_point_buffers();
  const std::string key = p.model + "|" + p.dtype.name + "|" + p.device.str() + "|" + std::to_string(s.settings.seed);
  const bool new_model = key != s.model_key;
  if (new_model) release();  // free the previous model before building the next, and before the admission
  admit(p, new_model);
  if (new_model) {
    s.config = models::resolve_model_or_config(p.model);
    s.device = resolve_device(p.device);
    s.precision = models::precision_of(p.dtype);
    models::BuildOptions options{s.precision.storage, s.device, s.settings.seed};
    s.model = models::Transformer(s.config, options);
    if (!s.weights_file.empty()) models::load_checkpoint(s.model, s.weights_file);
    s.model_key = key;
    s.probe = std::make_unique<MemoryProbe>(s.device);
    s.flusher.reset();
    if (s.settings.l2_flush) s.flusher = std::make_unique<CacheFlusher>(s.device);
  }
  // Gradients left by a forward_backward point would otherwise stay allocated and be
  // charged to whatever point comes next.
  for (auto& param : s.model->parameters()) param.mutable_grad() = at::Tensor();
  // Reset after the weights are resident, so a point's peak counts the weights plus
  // everything the point itself allocates, exactly once.
  synchronize(s.device);
  s.probe->reset();
  monitor(p.device).begin();  // before inputs and warm-up: the point's whole span is watched

  for (const auto& [needle, kind] : s.hooks.failures) {
    if (p.id().find(needle) == std::string::npos) continue;
    if (kind == "oom") at::empty({int64_t{1} << 50}, at::TensorOptions().dtype(at::kFloat).device(s.device));
    // "error:TEXT" throws TEXT as given, any bytes: the sweep must survive any message.
    const std::string text = kind.rfind("error:", 0) == 0 ? ": " + kind.substr(6) : "";
    throw std::runtime_error("injected failure for testing (--inject-failure)" + text);
  }

  const PhaseHooks& hooks = phase_hooks(p.phase);
  s.phase = hooks.prepare(PhaseContext{s.model, s.config, s.device, s.precision, s.settings.seed}, p);
  s.timeline = std::make_unique<Timeline>(s.device, hooks.marks(p));
  if (s.hooks.slowdown_pct > 0) s.timeline->inject_slowdown(s.hooks.slowdown_pct / 100);
  // Warm-up runs absorb one-time costs (allocator growth, cuBLAS handles and
  // heuristics, lazy CUDA module loading, CPU page faults) that are not the model's.
  for (int i = 0; i < s.settings.warmup; ++i) run_once(s, nullptr);
  // Then, on a GPU, until the SM clock stops moving (boost settling, a cold card), at
  // most kMaxClockWarmups more runs: timing a clock ramp measures the ramp.
  constexpr int kMaxClockWarmups = 10;
  EnvironmentMonitor& mon = monitor(p.device);
  double previous = mon.sm_clock_mhz();
  for (int extra = 0; previous > 0 && extra < kMaxClockWarmups; ++extra) {
    run_once(s, nullptr);
    const double now = mon.sm_clock_mhz();
    if (std::abs(now - previous) <= kSteadyClockShare * previous) break;
    previous = now;
  }
}

void PointRunner::measure(const Point& p, PointResult& result) {
  auto& s = *state_;
  EnvironmentMonitor& mon = monitor(p.device);
  const double clock_before = mon.sm_clock_mhz();  // 0 without NVML (the CPU)
  if (s.flusher && phase_row(p.phase).cold_cache) s.flusher->flush();  // before run_once's synchronisation: untimed
  run_once(s, &result);
  if (clock_before > 0) result.add_sample("sm_clock_mhz", std::min(clock_before, mon.sm_clock_mhz()));
  if (s.device.is_cuda()) result.add_sample("host_enqueue_ms", s.timeline->host_span_ms());
}

namespace {

// "generate/125m:2+1*2/fp32/..." -> "generate_125m_2+1x2_fp32_...": a portable file name.
std::string file_name_for(const std::string& id) {
  std::string out;
  for (char c : id) out += (c == '/' || c == ':') ? '_' : (c == '*') ? 'x' : c;
  return out;
}

}  // namespace

void PointRunner::finish(const Point& p, PointResult& r) {
  auto& s = *state_;
  s.probe->record(r);  // before the profiled pass, which must not count
  if (s.flusher && phase_row(p.phase).cold_cache) r.set_value("cache_flush_bytes", double(s.flusher->bytes()));
  r.environment = monitor(p.device).end();
  if (auto it = r.samples.find("sm_clock_mhz"); it != r.samples.end()) {
    const std::string flag = low_clock_flag(it->second, monitor(p.device).default_sm_clock_mhz());
    if (!flag.empty()) r.environment.flags.push_back(flag);
  }
  if (auto it = r.samples.find("host_enqueue_ms"); it != r.samples.end()) {
    r.set_value("host_share_pct", 100.0 * summarize(it->second).median / summarize(r.samples.at("latency_ms")).median);
  }
  if (!s.snapshot_dir.empty() && memory_snapshot_unavailable(s.device).empty()) {
    // Its own untimed pass: recording every allocation's stack slows the pass down.
    std::filesystem::create_directories(s.snapshot_dir);
    const std::string name = file_name_for(p.id()) + ".pickle";
    MemorySnapshot snapshot;
    snapshot.start();
    run_once(s, nullptr);
    snapshot.stop_and_write(s.snapshot_dir + "/" + name);
    r.memory_snapshot_file = std::filesystem::path(s.snapshot_dir).filename().string() + "/" + name;
  }
  if (!s.profile_dir.empty()) {
    profiles::Profiler profiler(s.device);
    profiler.start();
    {
      // The pass range closes after run_once's clock read, which synchronises, so
      // every kernel of the pass ends inside it.
      profiles::ScopedRange pass(profiles::kPassRange);
      run_once(s, nullptr);
    }
    const profiles::Trace trace = profiler.stop();
    std::filesystem::create_directories(s.profile_dir);
    const std::string name = file_name_for(p.id()) + ".trace.json";
    std::ofstream(s.profile_dir + "/" + name) << profiles::chrome_trace_json(trace);
    r.profile = profiles::summarize_trace(trace);
    r.profile->trace_file = std::filesystem::path(s.profile_dir).filename().string() + "/" + name;
  }
  record_prediction(phase_hooks(p.phase).predict(s.config, p), s.precision, device_info(p.device), r);
  if (phase_row(p.phase).changes_weights) release();  // the next point starts from freshly built weights
}

}  // namespace shishu::bench
