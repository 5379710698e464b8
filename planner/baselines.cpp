#include "planner/baselines.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/analytic.h"
#include "planner/terms.h"

namespace shishu::planner {
namespace {

double flops(const models::ModelConfig& m, const Workload& w) {
  return models::forward_flops(m, w.batch, w.new_tokens, w.depth, logit_rows(w)) * info(w.quantity).flops_factor;
}

double min_bytes(const models::ModelConfig& m, const Workload& w, int bpe) {
  return models::decode_step_bytes(m, w.batch, w.depth + w.new_tokens, bpe) * info(w.quantity).bytes_factor;
}

}  // namespace

const std::vector<Baseline>& baselines() {
  using M = const models::ModelConfig&;
  using W = const Workload&;
  using C = const Ceilings&;
  static const std::vector<Baseline> table = {
      {"params", true, false, [](M m, W, int, C) { return static_cast<double>(models::count_params(m).total); }},
      {"roofline", false, false,
       [](M m, W w, int bpe, C c) {
         if (!(c.flops_per_s > 0 && c.bytes_per_s > 0)) return std::numeric_limits<double>::quiet_NaN();
         return 1e3 * std::max(flops(m, w) / c.flops_per_s, min_bytes(m, w, bpe) / c.bytes_per_s);  // s -> ms
       }},
      {"flops", true, false, [](M m, W w, int, C) { return flops(m, w); }},
      {"analytic", false, true, [](M, W w, int, C) { return w.analytic_mb; }},
  };
  return table;
}

bool applies(const Baseline& b, Quantity q) { return b.for_memory == (info(q).kind == Kind::memory); }

double fit_factor(const Baseline& b, const std::vector<Observation>& calibration, int bytes_per_element) {
  if (!b.fitted) return 1;
  double num = 0, den = 0;
  for (const auto& o : calibration) {
    const double y = fit_target(o.workload, o.measured);
    const double r = b.raw(o.model, o.workload, bytes_per_element, Ceilings{});
    num += r / y;
    den += (r / y) * (r / y);
  }
  return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace shishu::planner
