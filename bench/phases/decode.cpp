// Phase `decode`: decode at depth. G greedy decode steps from a KV cache that already
// holds D positions, timed step by step, without the D-token prefill a `generate` point
// at that length runs first (at 32k tokens on a CPU, half an hour). A step's cost depends
// on the cache's length and dtype, not on what it holds, so the cache is filled untimed
// with the model's own keys and values: a short real prefill, repeated to depth D
// (models::fill_to_depth). llama-bench's -d measures the same, after the real prompt.
#include <ATen/ATen.h>

#include <algorithm>

#include "bench/phase.h"
#include "bench/phase_predictions.h"
#include "bench/stats.h"
#include "models/decode/decoder.h"

namespace shishu::bench {
namespace {

// Tokens of the real prefill the cache is filled from.
constexpr int64_t kSeedTokens = 64;

class Decode : public PreparedPhase {
 public:
  Decode(const PhaseContext& c, const Point& p) : batch_(p.batch()), depth_(p.axis(Axis::kDepth)) {
    at::NoGradGuard no_grad;
    const int64_t steps = p.axis(Axis::kGen);
    decoder_ = models::make_decoder(p.mode, c.model, {batch_, depth_, steps});
    const at::Tensor seed = point_tokens(p, std::min(kSeedTokens, depth_), c.config.widths.vocab, c.seed, c.device);
    models::Transformer model = c.model;
    first_ = models::fill_to_depth(model, seed, decoder_->cache(), depth_);
  }

  // Every repetition starts from the same cache: a step writes only at positions >= D,
  // which the next repetition's steps overwrite before they read them.
  void run(Timeline& clock, PointResult* result) override {
    at::NoGradGuard no_grad;
    decoder_->decode(first_, &clock);
    const std::vector<double> marks = clock.read_ms();  // (G) ms since start
    if (!result) return;
    result->add_sample("latency_ms", marks.back());
    for (size_t i = 0; i < marks.size(); ++i) result->add_sample("decode_step_ms", marks[i] - (i ? marks[i - 1] : 0));
    result->add_sample("throughput_tok_s", double(batch_) * double(marks.size()) / (marks.back() / 1e3));
  }

 private:
  int64_t batch_, depth_;
  std::unique_ptr<models::Decoder> decoder_;
  at::Tensor first_;  // (B) the token fed at position D
};

const PhaseHooks kHooks{[](const Point& p) -> int64_t { return p.axis(Axis::kGen); },
                        [](const PhaseContext& c, const Point& p) -> std::unique_ptr<PreparedPhase> {
                          return std::make_unique<Decode>(c, p);
                        },
                        predict_decode};

[[maybe_unused]] const bool kRegistered = register_phase(
    {"decode",
     {"decode_at_depth"},
     "gen greedy decode steps from a KV cache already holding depth positions, without their prefill",
     {{Axis::kBatch}, {Axis::kDepth}, {Axis::kGen}},
     {Axis::kDepth, Axis::kGen},
     /*takes_backend=*/true,
     /*cold_cache=*/false,
     /*mixed_precision=*/false,
     /*changes_weights=*/false,
     &kHooks});

}  // namespace
}  // namespace shishu::bench
