// Phase `generate`: greedy generation of G tokens after a P-token prompt, through the
// point's decode backend (its mode: eager, cuda_graphs, fast; models/decode/).
#include <ATen/ATen.h>

#include <optional>

#include "bench/phase.h"
#include "bench/stats.h"
#include "models/analytic.h"
#include "models/decode/decoder.h"

namespace shishu::bench {
namespace {

class Generate : public PreparedPhase {
 public:
  // The point's decode backend (models/decode/): caches allocated, a graph captured.
  Generate(const PhaseContext& c, const Point& p) : batch_(p.batch), gen_(p.gen) {
    at::NoGradGuard no_grad;  // the cache and a captured graph hold no autograd state
    prompt_ = point_tokens(p, p.prefill, c.config.widths.vocab, c.seed, c.device);
    decoder_ = models::make_decoder(p.mode, c.model, {p.batch, p.prefill, p.gen});
  }

  void run(Timeline& clock, PointResult* result) override {
    at::NoGradGuard no_grad;
    decoder_->generate(prompt_, &clock);
    const std::vector<double> marks = clock.read_ms();  // (G) ms since start
    if (!result) return;
    const double total = marks.back(), ttft = marks.front();
    result->add_sample("latency_ms", total);
    result->add_sample("ttft_ms", ttft);
    for (size_t i = 1; i < marks.size(); ++i) result->add_sample("decode_step_ms", marks[i] - marks[i - 1]);
    result->add_sample("throughput_tok_s", decode_throughput(batch_, gen_, total, ttft));
  }

 private:
  int64_t batch_, gen_;
  at::Tensor prompt_;  // (B, P)
  std::unique_ptr<models::Decoder> decoder_;
};

Prediction predict(const models::ModelConfig& c, const Point& p, const models::Precision& precision) {
  const int dtype_bytes = models::dtype_bytes(precision.storage);  // generation never mixes precisions
  Prediction r;
  r.weight_bytes = static_cast<double>(models::weight_bytes(c, dtype_bytes));
  r.kv_cache_bytes = double(p.batch) * double(p.prefill + p.gen) * double(models::kv_bytes_per_token(c, dtype_bytes));
  r.logits_bytes = double(p.batch) * c.widths.vocab * dtype_bytes;
  r.flops = models::forward_flops(c, p.batch, p.prefill, 0, 1);
  for (int64_t i = 1; i < p.gen; ++i) r.flops += models::forward_flops(c, p.batch, 1, p.prefill + i - 1, 1);
  r.tokens = double(p.batch) * double(p.gen);
  return r;
}

// Decode is bound by memory traffic: the least bytes a step must read, and the
// bandwidth the measured median step implies.
void derive(const models::ModelConfig& c, const Point& p, const models::Precision& precision, const DeviceInfo& device,
            PointResult& r) {
  if (!r.samples.count("decode_step_ms")) return;
  const double bytes = models::decode_step_bytes(c, p.batch, p.prefill + p.gen / 2, models::dtype_bytes(precision.storage));
  const double step_s = summarize(r.samples.at("decode_step_ms")).median / 1e3;
  r.set_value("decode_bytes_per_step", bytes);
  r.set_value("achieved_bandwidth_gbs", bytes / step_s / 1e9);
  if (device.peak_bandwidth > 0) r.set_value("peak_bandwidth_pct", 100.0 * bytes / step_s / device.peak_bandwidth);
  // Any measured copy ceiling of the device: the copy's bandwidth does not depend on the dtype.
  if (!device.measured.empty()) {
    r.set_value("measured_bandwidth_pct", 100.0 * bytes / step_s / device.measured.begin()->second.copy_bytes_per_s);
  }
}

}  // namespace

PhaseSpec generate_phase() {
  return {Phase::kGenerate, [](const Point& p) -> int64_t { return p.gen; },
          [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
            return std::make_unique<Generate>(c, p);
          },
          predict, derive};
}

}  // namespace shishu::bench
