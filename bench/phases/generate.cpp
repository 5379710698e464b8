// Phase `generate`: greedy generation of G tokens after a P-token prompt, through the
// point's decode backend (its mode: eager, cuda_graphs, fast; models/decode/).
#include <ATen/ATen.h>

#include "bench/phase.h"
#include "bench/phase_predictions.h"
#include "bench/stats.h"
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

const PhaseHooks kHooks{[](const Point& p) -> int64_t { return p.axis(Axis::kGen); },
                        [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
                          return std::make_unique<Generate>(c, p);
                        },
                        predict_generate};

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
