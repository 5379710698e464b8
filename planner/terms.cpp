#include "planner/terms.h"

namespace shishu::planner {
namespace {

double tokens_k(const Workload& w) { return static_cast<double>(w.batch) * w.new_tokens / 1e3; }

// Query-key pairs attended per sequence, in millions, times the batch: query i (0-based
// within the block) sees depth + i + 1 keys.
double context_m(const Workload& w) {
  const double t = static_cast<double>(w.new_tokens);
  return static_cast<double>(w.batch) * (t * w.depth + t * (t + 1) / 2) / 1e6;
}

const LayerAxis& axis(int i) { return layer_axes()[i]; }

}  // namespace

const std::vector<LayerAxis>& layer_axes() {
  static const std::vector<LayerAxis> table = {
      {"attention layers", &LayerCounts::attention},
      {"MLP-only layers (counted once per parameter set)", &LayerCounts::mlp_sets},
      {"tied reuses (later uses of a tied MLP set)", &LayerCounts::tied_reuses},
  };
  return table;
}

int64_t logit_rows(const Workload& w) { return info(w.quantity).logits_every_row ? w.new_tokens : 1; }

const std::vector<Term>& terms_for(Quantity q) {
  using L = const LayerCounts&;
  using W = const Workload&;
  static const std::vector<Term> time = {
      {"attention.per_call", "attention term, per call", "ms per layer per call", true, &axis(0),
       [](L l, W) { return double(l.attention); }, WidthScale::attention_layer},
      {"attention.per_token", "attention term, per token", "ms per layer per 1k tokens", true, &axis(0),
       [](L l, W w) { return l.attention * tokens_k(w); }, WidthScale::attention_layer},
      {"attention.per_context", "attention term, per attended key", "ms per layer per 1M query-key pairs", true,
       &axis(0), [](L l, W w) { return l.attention * context_m(w); }, WidthScale::attention_context},
      {"mlp_only.per_call", "MLP-only term, per call", "ms per layer per call", true, &axis(1),
       [](L l, W) { return double(l.mlp_sets); }, WidthScale::mlp_layer},
      {"mlp_only.per_token", "MLP-only term, per token", "ms per layer per 1k tokens", true, &axis(1),
       [](L l, W w) { return l.mlp_sets * tokens_k(w); }, WidthScale::mlp_layer},
      {"tied_reuse.per_call", "tied second-use term, per call", "ms per reuse per call", true, &axis(2),
       [](L l, W) { return double(l.tied_reuses); }, WidthScale::mlp_layer},
      {"tied_reuse.per_token", "tied second-use term, per token", "ms per reuse per 1k tokens", true, &axis(2),
       [](L l, W w) { return l.tied_reuses * tokens_k(w); }, WidthScale::mlp_layer},
      {"lm_head.per_row", "embedding and LM head term, per logit row", "ms per 1k logit rows", true, nullptr,
       [](L, W w) { return static_cast<double>(w.batch) * logit_rows(w) / 1e3; }, WidthScale::head_row},
      {"overhead.per_call", "per-call overhead term", "ms per call", true, nullptr, [](L, W) { return 1.0; }},
  };
  static const std::vector<Term> memory = {
      {"allocator.per_analytic_mb", "allocator term, per analytic MB", "MB per analytic MB", true, nullptr,
       [](L, W w) { return w.analytic_mb; }},
      {"workspace.per_token", "workspace term, per token", "MB per 1k tokens", true, nullptr,
       [](L, W w) { return tokens_k(w); }, WidthScale::activation_token},
      {"workspace.fixed", "fixed workspace term", "MB", false, nullptr, [](L, W) { return 1.0; }},
  };
  return info(q).kind == Kind::memory ? memory : time;
}

}  // namespace shishu::planner
