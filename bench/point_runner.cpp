#include "bench/point_runner.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <filesystem>
#include <fstream>

#include "bench/clock.h"
#include "bench/environment.h"
#include "bench/memory_probe.h"
#include "bench/stats.h"
#include "models/analytic.h"
#include "models/cuda_graph_decoder.h"
#include "models/dtype.h"
#include "models/generate.h"
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
  std::map<std::string, DeviceInfo> devices;

  std::string model_key;  // model|dtype|device|seed of the live model
  models::ModelConfig config;
  models::Transformer model{nullptr};
  c10::Device device{c10::DeviceType::CPU};
  c10::ScalarType dtype = c10::ScalarType::Float;

  at::Tensor tokens;  // (B, T) or (B, P) int64 on the device
  std::optional<models::KvCache> cache;
  std::unique_ptr<models::CudaGraphDecoder> graph;
  std::unique_ptr<Timeline> timeline;
  std::unique_ptr<MemoryProbe> probe;
  std::map<std::string, std::unique_ptr<EnvironmentMonitor>> monitors;  // per device

  void drop_point_buffers() {
    graph.reset();  // before the cache it points into
    cache.reset();
    timeline.reset();
    tokens = at::Tensor();
  }
};

PointRunner::PointRunner(SweepSettings settings, TestingHooks hooks, std::string profile_dir)
    : state_(std::make_unique<State>()) {
  state_->settings = settings;
  state_->hooks = std::move(hooks);
  state_->profile_dir = std::move(profile_dir);
}

PointRunner::~PointRunner() = default;

std::string PointRunner::skip_reason(const Point& p) {
  if (p.mode != ExecMode::kCudaGraphs) return "";
  if (p.phase != Phase::kGenerate) return "CUDA graphs apply to decode steps only (the generate phase)";
  if (p.device == "cpu") return "CUDA graphs need a CUDA device";
  return "";
}

const DeviceInfo& PointRunner::device_info(const std::string& device) {
  auto it = state_->devices.find(device);
  if (it == state_->devices.end()) it = state_->devices.emplace(device, probe_device(parse_device(device))).first;
  return it->second;
}

EnvironmentMonitor& PointRunner::monitor(const std::string& device) {
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
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e)) return Status::kOom;
  const std::string what = e.what();
  // The CPU allocator reports exhaustion as a plain c10::Error.
  if (what.find("can't allocate memory") != std::string::npos || what.find("out of memory") != std::string::npos) {
    return Status::kOom;
  }
  return Status::kError;
}

namespace {

// FNV-1a: a fixed hash, unlike std::hash, so inputs are the same with every standard library.
uint64_t fnv1a(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Tokens are a pure function of the seed and the point, so a point re-run alone
// (--benchmark_filter, --resume) sees the same inputs as in the full sweep.
at::Tensor random_tokens(const Point& p, int64_t len, int64_t vocab, uint64_t seed, c10::Device device) {
  const uint64_t point_seed = seed ^ fnv1a(p.id());
  auto gen = at::make_generator<at::CPUGeneratorImpl>(point_seed);
  return at::randint(vocab, {p.batch, len}, gen, at::TensorOptions().dtype(at::kLong)).to(device);
}

void run_once(PointRunner::State& s, const Point& p, PointResult* result);

}  // namespace

void PointRunner::prepare(const Point& p) {
  auto& s = *state_;
  s.drop_point_buffers();
  const std::string key = p.model + "|" + p.dtype + "|" + p.device + "|" + std::to_string(s.settings.seed);
  if (key != s.model_key) {
    release();  // free the previous model before building the next
    s.config = models::resolve_model(p.model);
    s.device = parse_device(p.device);
    s.dtype = models::parse_dtype(p.dtype);
    models::BuildOptions options{s.dtype, s.device, s.settings.seed};
    s.model = models::Transformer(s.config, options);
    s.model_key = key;
    s.probe = std::make_unique<MemoryProbe>(s.device);
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
    throw std::runtime_error("injected failure for testing (--inject-failure)");
  }

  const int64_t vocab = s.config.widths.vocab;
  if (p.phase == Phase::kGenerate) {
    at::NoGradGuard no_grad;  // the cache and the captured graph hold no autograd state
    s.tokens = random_tokens(p, p.prefill, vocab, s.settings.seed, s.device);
    s.cache = s.model->make_cache(p.batch, p.prefill + p.gen);
    if (p.mode == ExecMode::kCudaGraphs) {
      s.graph = std::make_unique<models::CudaGraphDecoder>(s.model, *s.cache, p.prefill, p.gen);
    }
    s.timeline = std::make_unique<Timeline>(s.device, p.gen);
  } else {
    s.tokens = random_tokens(p, p.seq, vocab, s.settings.seed, s.device);
    s.timeline = std::make_unique<Timeline>(s.device, 1);
  }
  if (s.hooks.slowdown_pct > 0) s.timeline->inject_slowdown(s.hooks.slowdown_pct / 100);
  // Warm-up runs absorb one-time costs (allocator growth, cuBLAS handles and
  // heuristics, lazy CUDA module loading, CPU page faults) that are not the model's.
  for (int i = 0; i < s.settings.warmup; ++i) run_once(s, p, nullptr);
}

namespace {

void run_once(PointRunner::State& s, const Point& p, PointResult* result) {
  // Nothing queued earlier may leak into this repetition's time.
  synchronize(s.device);
  Timeline& clock = *s.timeline;
  if (p.phase == Phase::kForward) {
    at::NoGradGuard no_grad;
    clock.on_start();
    {
      profiles::ScopedRange range(profiles::kForwardRange);
      at::Tensor logits = s.model->forward(s.tokens);  // (B, T, V)
    }
    clock.on_token(0);
    const double ms = clock.read_ms()[0];
    if (result) result->add_sample("latency_ms", ms);
  } else if (p.phase == Phase::kForwardBackward) {
    for (auto& param : s.model->parameters()) param.mutable_grad() = at::Tensor();  // set_to_none, as zero_grad does
    const int64_t vocab = s.config.widths.vocab, T = p.seq;
    clock.on_start();
    at::Tensor loss;
    {
      profiles::ScopedRange range(profiles::kForwardRange);
      at::Tensor logits = s.model->forward(s.tokens);  // (B, T, V)
      // Loss in fp32 as HF-transformers computes it: logits upcast before cross-entropy.
      loss = at::cross_entropy_loss(logits.narrow(1, 0, T - 1).reshape({-1, vocab}).to(at::kFloat),
                                    s.tokens.narrow(1, 1, T - 1).reshape({-1}));
    }
    {
      profiles::ScopedRange range(profiles::kBackwardRange);
      loss.backward();
    }
    clock.on_token(0);
    const double ms = clock.read_ms()[0];
    if (result) result->add_sample("latency_ms", ms);
  } else {
    at::NoGradGuard no_grad;
    if (s.graph) {
      s.graph->generate(s.tokens, &clock);
    } else {
      models::generate_greedy(s.model, s.tokens, p.gen, *s.cache, &clock);
    }
    const std::vector<double> marks = clock.read_ms();  // (G) ms since start
    if (!result) return;
    const double total = marks.back(), ttft = marks.front();
    result->add_sample("latency_ms", total);
    result->add_sample("ttft_ms", ttft);
    for (size_t i = 1; i < marks.size(); ++i) result->add_sample("decode_step_ms", marks[i] - marks[i - 1]);
    result->add_sample("throughput_tok_s", decode_throughput(p.batch, p.gen, total, ttft));
  }
}

}  // namespace

void PointRunner::measure(const Point& p, PointResult& result) { run_once(*state_, p, &result); }

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
  r.environment = monitor(p.device).end();
  if (!s.profile_dir.empty()) {
    profiles::Profiler profiler(s.device);
    profiler.start();
    {
      // The pass range closes after run_once's clock read, which synchronises, so
      // every kernel of the pass ends inside it.
      profiles::ScopedRange pass(profiles::kPassRange);
      run_once(s, p, nullptr);
    }
    const profiles::Trace trace = profiler.stop();
    std::filesystem::create_directories(s.profile_dir);
    const std::string name = file_name_for(p.id()) + ".trace.json";
    std::ofstream(s.profile_dir + "/" + name) << profiles::chrome_trace_json(trace);
    r.profile = profiles::summarize_trace(trace);
    r.profile->trace_file = std::filesystem::path(s.profile_dir).filename().string() + "/" + name;
  }
  const auto& c = s.config;
  const double b = models::dtype_bytes(s.dtype);
  const double vocab = c.widths.vocab;
  const double weights = static_cast<double>(models::weight_bytes(c, models::dtype_bytes(s.dtype)));
  double kv = 0, logits = 0, grads = 0, flops = 0;
  if (p.phase == Phase::kGenerate) {
    kv = double(p.batch) * double(p.prefill + p.gen) * double(models::kv_bytes_per_token(c, models::dtype_bytes(s.dtype)));
    logits = double(p.batch) * vocab * b;
    flops = models::forward_flops(c, p.batch, p.prefill, 0, 1);
    for (int64_t i = 1; i < p.gen; ++i) flops += models::forward_flops(c, p.batch, 1, p.prefill + i - 1, 1);
  } else {
    logits = double(p.batch) * double(p.seq) * vocab * b;
    flops = models::forward_flops(c, p.batch, p.seq, 0, p.seq);
    if (p.phase == Phase::kForwardBackward) {
      logits += double(p.batch) * double(p.seq - 1) * vocab * 4;  // fp32 copy for the loss
      grads = weights;
      flops *= 3;  // backward ~ 2x forward: gradients w.r.t. activations and weights
    }
  }
  r.set_value("predicted_weight_bytes", weights);
  r.set_value("predicted_kv_cache_bytes", kv);
  r.set_value("predicted_logits_bytes", logits);
  r.set_value("predicted_grad_bytes", grads);
  r.set_value("predicted_total_bytes", weights + kv + logits + grads);

  const double median_ms = summarize(r.samples.at("latency_ms")).median;
  const double tokens = double(p.batch) * double(p.phase == Phase::kGenerate ? p.gen : p.seq);
  r.set_value("tokens_per_s", tokens / (median_ms / 1e3));
  r.set_value("model_flops", flops);
  const double achieved = flops / (median_ms / 1e3);
  r.set_value("achieved_tflops", achieved / 1e12);
  const DeviceInfo& dev = device_info(p.device);
  if (dev.peak_flops(s.dtype) > 0) r.set_value("peak_flops_pct", 100.0 * achieved / dev.peak_flops(s.dtype));
  if (p.phase == Phase::kGenerate && r.samples.count("decode_step_ms")) {
    const double bytes = models::decode_step_bytes(c, p.batch, p.prefill + p.gen / 2, models::dtype_bytes(s.dtype));
    const double step_s = summarize(r.samples.at("decode_step_ms")).median / 1e3;
    r.set_value("decode_bytes_per_step", bytes);
    r.set_value("achieved_bandwidth_gbs", bytes / step_s / 1e9);
    if (dev.peak_bandwidth > 0) r.set_value("peak_bandwidth_pct", 100.0 * bytes / step_s / dev.peak_bandwidth);
  }
}

}  // namespace shishu::bench
