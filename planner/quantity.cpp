#include "planner/quantity.h"

#include <cmath>
#include <stdexcept>

namespace shishu::planner {

const std::vector<QuantityInfo>& quantities() {
  // AdamW's bytes: it reads weight, gradient and both moments and writes three of them
  // back (7 weight-sized transfers) on top of forward + backward's 3.
  static const std::vector<QuantityInfo> table = {
      // id, name, unit, meaning, kind, logits every row, varies tokens, varies depth, FLOPs, bytes
      {Quantity::forward_ms, "forward_ms", "ms", "forward", Kind::time, true, true, false, 1, 1},
      {Quantity::forward_backward_ms, "forward_backward_ms", "ms", "with backward", Kind::time, true, true, false, 3,
       3},
      {Quantity::train_step_ms, "train_step_ms", "ms", "train step (AdamW)", Kind::time, true, true, false, 3, 10},
      {Quantity::ttft_ms, "ttft_ms", "ms", "prefill (TTFT)", Kind::time, false, true, false, 1, 1},
      {Quantity::decode_ms, "decode_ms", "ms", "decode step at a depth", Kind::time, false, false, true, 1, 1},
      {Quantity::throughput_tok_s, "throughput_tok_s", "tokens/s", "decode rate", Kind::rate, false, false, true, 1, 1},
      {Quantity::peak_mb, "peak_mb", "MB", "peak memory", Kind::memory, false, true, true, 0, 0},
  };
  return table;
}

const QuantityInfo& info(Quantity q) {
  for (const auto& row : quantities()) {
    if (row.id == q) return row;
  }
  throw std::logic_error("planner: a Quantity without a row in quantities()");
}

Quantity parse_quantity(std::string_view name) {
  std::string known;
  for (const auto& row : quantities()) {
    if (row.name == name) return row.id;
    known += " " + std::string(row.name);
  }
  throw std::invalid_argument("unknown quantity '" + std::string(name) + "' (known:" + known + ")");
}

void validate(const Workload& w) {
  const std::string at = std::string(info(w.quantity).name) + " workload: ";
  if (w.batch < 1) throw std::invalid_argument(at + "batch must be at least 1, got " + std::to_string(w.batch));
  if (w.new_tokens < 1) {
    throw std::invalid_argument(at + "new_tokens must be at least 1, got " + std::to_string(w.new_tokens));
  }
  if (w.depth < 0) throw std::invalid_argument(at + "depth must be at least 0, got " + std::to_string(w.depth));
  if (w.quantity == Quantity::peak_mb && !(w.analytic_mb > 0 && std::isfinite(w.analytic_mb))) {
    throw std::invalid_argument(at + "needs its analytic prediction (analytic_mb > 0), got " +
                                std::to_string(w.analytic_mb));
  }
}

void validate(const Observation& o, size_t i) {
  const std::string at = "observation " + std::to_string(i) + " (" + o.model.name + ", " +
                         std::string(info(o.workload.quantity).name) + "): ";
  try {
    validate(o.workload);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(at + e.what());
  }
  if (!(o.measured > 0 && std::isfinite(o.measured))) {
    throw std::invalid_argument(at + "measured value must be positive and finite, got " + std::to_string(o.measured));
  }
  if (!(o.noise_rel >= 0 && std::isfinite(o.noise_rel))) {
    throw std::invalid_argument(at + "noise_rel must be a finite fraction >= 0, got " + std::to_string(o.noise_rel));
  }
}

LayerCounts layer_counts(const models::Layout& layout) {
  LayerCounts c;
  c.attention = layout.full_layers;
  c.mlp_sets = layout.mlp_param_sets();
  c.tied_reuses = layout.mlp_only_layers() - layout.mlp_param_sets();
  return c;
}

double fit_target(const Workload& w, double value) {
  if (info(w.quantity).kind != Kind::rate) return value;
  return 1000.0 * static_cast<double>(w.batch) / value;  // tokens/s -> ms per step
}

double from_fit_target(const Workload& w, double fitted) {
  if (info(w.quantity).kind != Kind::rate) return fitted;
  return 1000.0 * static_cast<double>(w.batch) / fitted;  // ms per step -> tokens/s
}

}  // namespace shishu::planner
