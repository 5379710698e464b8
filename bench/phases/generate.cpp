// Phase `generate`: greedy generation of G tokens after a P-token prompt, through the
// point's decode backend (its mode: eager, cuda_graphs, fast; models/decode/).
#include <ATen/ATen.h>

#include "bench/memory_model.h"
#include "bench/phase.h"
#include "bench/stats.h"
#include "models/analytic.h"
#include "models/decode/decoder.h"

namespace shishu::bench {
namespace {

class Generate : public PreparedPhase {
 public:
  // The point's decode backend (models/decode/): caches allocated, a graph captured.
  Generate(const PhaseContext& c, const Point& p) : batch_(p.batch()), gen_(p.axis(Axis::kGen)) {
    at::NoGradGuard no_grad;  // the cache and a captured graph hold no autograd state
    const int64_t prefill = p.axis(Axis::kPrefill);
    prompt_ = point_tokens(p, prefill, c.config.widths.vocab, c.seed, c.device);
    decoder_ = models::make_decoder(p.mode, c.model, {batch_, prefill, gen_, p.axis_or(Axis::kPrefillChunk, 0)});
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

Prediction predict(const models::ModelConfig& c, const Point& p) {
  const int64_t batch = p.batch(), prefill = p.axis(Axis::kPrefill), gen = p.axis(Axis::kGen);
  const int dtype_bytes = models::element_bytes(p.dtype.storage);  // generation never mixes precisions
  Prediction r;
  r.weight_bytes = static_cast<double>(models::weight_bytes(c, dtype_bytes));
  r.kv_cache_bytes = double(batch) * double(prefill + gen) * double(models::kv_bytes_per_token(c, dtype_bytes));
  r.logits_bytes = double(batch) * c.widths.vocab * dtype_bytes;
  // The prefill's activations, a chunk's at a time when chunked, outweigh a decode step's.
  const int64_t chunk = p.axis_or(Axis::kPrefillChunk, 0);
  r.activation_bytes = inference_activation_bytes(c, double(batch), double(chunk > 0 ? chunk : prefill), p.dtype) +
                       (1 + p.mode.row().rotary_tables) * rotary_table_bytes(c, prefill + gen, p.dtype);
  r.flops = models::forward_flops(c, batch, prefill, 0, 1);
  for (int64_t i = 1; i < gen; ++i) r.flops += models::forward_flops(c, batch, 1, prefill + i - 1, 1);
  r.tokens = double(batch) * double(gen);
  // Decode is bound by memory traffic: the least bytes a step must read, at the mean
  // cache length, against the median step.
  r.bytes = models::decode_step_bytes(c, batch, prefill + gen / 2, dtype_bytes);
  r.bytes_interval = "decode_step_ms";
  r.bytes_metric = "decode_bytes_per_step";
  return r;
}

const PhaseHooks kHooks{[](const Point& p) -> int64_t { return p.axis(Axis::kGen); },
                        [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
                          return std::make_unique<Generate>(c, p);
                        },
                        predict};

[[maybe_unused]] const bool kRegistered = register_phase(
    {"generate",
     {"gen"},
     "greedy generation of gen tokens after a prefill-token prompt, through the decode backend (paper Tables 8-10)",
     {{Axis::kBatch},
      {Axis::kPrefill},
      {Axis::kGen, 2, "throughput = batch*(G-1)/(total-TTFT) needs G >= 2"},
      {Axis::kPrefillChunk, 1, "", /*default_value=*/0, /*at_most=*/Axis::kPrefill}},
     {Axis::kPrefill, Axis::kGen},
     /*takes_backend=*/true,
     /*cold_cache=*/false,
     /*mixed_precision=*/false,
     /*changes_weights=*/false,
     &kHooks});

}  // namespace
}  // namespace shishu::bench
