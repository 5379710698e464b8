#include "planner/plan.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <tuple>

#include "models/analytic.h"
#include "planner/terms.h"

namespace shishu::planner {
namespace {

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string bound_text(Quantity q, const char* op, double v) {
  char number[32];
  std::snprintf(number, sizeof number, "%g", v);
  return std::string(info(q).name) + op + number;
}

// The front's objectives, each oriented so that larger is better.
struct Objective {
  std::string_view name;
  double (*value)(const Candidate& c, size_t workload);
  bool per_workload;
};

double oriented(const Prediction& p) { return info(p.quantity).kind == Kind::rate ? p.value : -p.value; }

const std::vector<Objective>& objectives() {
  static const std::vector<Objective> table = {
      {"params", [](const Candidate& c, size_t) { return double(c.params); }, false},
      {"attention_layers", [](const Candidate& c, size_t) { return double(c.attention_layers); }, false},
      {"kv_bytes_per_token", [](const Candidate& c, size_t) { return -double(c.kv_bytes_per_token); }, false},
      {"prediction", [](const Candidate& c, size_t k) { return oriented(c.predictions[k]); }, true},
  };
  return table;
}

std::vector<double> objective_vector(const Candidate& c) {
  std::vector<double> v;
  for (const auto& o : objectives()) {
    const size_t n = o.per_workload ? c.predictions.size() : 1;
    for (size_t k = 0; k < n; ++k) v.push_back(o.value(c, k));
  }
  return v;
}

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool better = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] < b[i]) return false;
    better = better || a[i] > b[i];
  }
  return better;
}

// Layer counts as a point, each axis divided by its span, so that one attention layer
// and one MLP-only layer weigh alike relative to the space searched.
using Point = std::vector<double>;
Point point_of(const models::Layout& l) {
  const LayerCounts c = layer_counts(l);
  Point p;
  for (const auto& axis : layer_axes()) p.push_back(c.*(axis.count));
  return p;
}

double distance(const Point& a, const Point& b, const Point& span) {
  double d2 = 0;
  for (size_t i = 0; i < a.size(); ++i) d2 += std::pow((a[i] - b[i]) / span[i], 2);
  return std::sqrt(d2);
}

double nearest(const Point& p, const std::vector<Point>& set, const Point& span) {
  double best = INFINITY;
  for (const auto& q : set) best = std::min(best, distance(p, q, span));
  return best;
}

}  // namespace

Budget parse_budget(std::string_view text) {
  if (trim(text).empty()) throw std::invalid_argument("the budget is empty (expected e.g. decode_ms<=20,peak_mb<=900)");
  Budget budget;
  size_t start = 0;
  for (int n = 1;; ++n) {
    const size_t comma = text.find(',', start);
    const std::string_view item = trim(text.substr(start, comma == std::string_view::npos ? comma : comma - start));
    const std::string quoted = "budget item " + std::to_string(n) + " '" + std::string(item) + "'";
    if (item.empty()) throw std::invalid_argument("budget item " + std::to_string(n) + " is empty");
    const size_t op = item.find_first_of("<>");
    if (op == std::string_view::npos) throw std::invalid_argument(quoted + " has no <= or >=");
    const bool upper = item[op] == '<';
    const size_t value_at = op + (op + 1 < item.size() && item[op + 1] == '=' ? 2 : 1);
    Quantity q;
    try {
      q = parse_quantity(trim(item.substr(0, op)));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(quoted + ": " + e.what());
    }
    const std::string_view number = trim(item.substr(value_at));
    double v = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(v) || v < 0) {
      throw std::invalid_argument(quoted + ": '" + std::string(number) + "' is not a number >= 0");
    }
    auto it = std::find_if(budget.begin(), budget.end(), [&](const Bound& b) { return b.quantity == q; });
    if (it == budget.end()) it = budget.insert(budget.end(), Bound{q});
    double& side = upper ? it->hi : it->lo;
    if (std::isfinite(side)) {
      throw std::invalid_argument(quoted + ": " + std::string(info(q).name) + " already has an " +
                                  (upper ? "upper" : "lower") + " bound");
    }
    side = v;
    if (it->lo > it->hi) {
      throw std::invalid_argument("contradictory budget: " + bound_text(q, ">=", it->lo) + " and " +
                                  bound_text(q, "<=", it->hi) + " leave no value");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return budget;
}

bool within(const Budget& budget, Quantity q, double value) {
  for (const auto& b : budget) {
    if (b.quantity == q && !(value >= b.lo && value <= b.hi)) return false;
  }
  return true;
}

std::vector<models::Layout> enumerate_layouts(const LayoutSpace& s) {
  if (s.min_attention < 0 || s.max_attention < s.min_attention || s.max_mlp_only < 0 || s.max_total_layers < 1 ||
      s.ties.empty()) {
    throw std::invalid_argument(
        "layout space: needs 0 <= min_attention <= max_attention, max_mlp_only >= 0, "
        "max_total_layers >= 1 and at least one tie");
  }
  for (int t : s.ties) {
    if (t < 1) throw std::invalid_argument("layout space: a tie must be 1 (untied) or more, got " + std::to_string(t));
  }
  std::set<std::string> seen;  // "a+m" with m = 0 is "a" for every tie
  std::vector<models::Layout> out;
  for (int a = s.min_attention; a <= s.max_attention; ++a) {
    for (int m = 0; m <= s.max_mlp_only && a + m <= s.max_total_layers; ++m) {
      for (int t : s.ties) {
        if (m % t != 0 || a + m == 0) continue;
        std::string text = std::to_string(a);
        if (m > 0) text += "+" + std::to_string(m / t) + (t > 1 ? "*" + std::to_string(t) : "");
        if (seen.insert(text).second) out.push_back(models::parse_layout(text));
      }
    }
  }
  return out;
}

double analytic_inference_mb(const models::ModelConfig& m, const Workload& w, int bytes_per_element) {
  const double kv = double(w.batch) * double(w.depth + w.new_tokens) * models::kv_bytes_per_token(m, bytes_per_element);
  const double logits = double(w.batch) * logit_rows(w) * m.widths.vocab * 4.0;  // fp32
  return (double(models::weight_bytes(m, bytes_per_element)) + kv + logits) / 1e6;
}

PlanResult plan(const CostModel& model, const LayoutSpace& space, const std::vector<Workload>& workloads,
                const Budget& budget, const AnalyticMemory& analytic, int measure_next) {
  std::set<Quantity> given;
  for (const auto& w : workloads) {
    if (!given.insert(w.quantity).second) {
      throw std::invalid_argument("plan: two workloads for " + std::string(info(w.quantity).name));
    }
    if (w.quantity == Quantity::peak_mb && !analytic) {
      throw std::invalid_argument("plan: a peak_mb workload needs an analytic memory predictor");
    }
  }
  for (const auto& b : budget) {
    if (!given.count(b.quantity)) {
      throw std::invalid_argument("plan: the budget bounds " + std::string(info(b.quantity).name) +
                                  " but no workload for it was given");
    }
  }
  PlanResult result;
  std::vector<Candidate> ok;
  for (const auto& layout : enumerate_layouts(space)) {
    ++result.enumerated;
    Candidate c;
    c.model.widths = model.widths;
    c.model.layout = layout;
    c.model.name = model.widths_name + ":" + layout.to_string();
    c.params = models::count_params(c.model).total;
    c.attention_layers = layout.full_layers;
    c.kv_bytes_per_token = models::kv_bytes_per_token(c.model, model.provenance.bytes_per_element);
    bool fits = true;
    std::set<std::string> extrapolated;
    for (Workload w : workloads) {
      if (w.quantity == Quantity::peak_mb) w.analytic_mb = analytic(c.model, w);
      c.predictions.push_back(predict(model, c.model, w));
      fits = fits && within(budget, w.quantity, c.predictions.back().value);
      extrapolated.insert(c.predictions.back().extrapolated.begin(), c.predictions.back().extrapolated.end());
    }
    c.extrapolated.assign(extrapolated.begin(), extrapolated.end());
    if (fits) ok.push_back(std::move(c));
  }
  result.within_budget = static_cast<int>(ok.size());

  std::vector<std::vector<double>> objs;
  for (const auto& c : ok) objs.push_back(objective_vector(c));
  for (size_t i = 0; i < ok.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < ok.size() && !dominated; ++j) dominated = j != i && dominates(objs[j], objs[i]);
    if (!dominated) result.front.push_back(ok[i]);
  }
  std::sort(result.front.begin(), result.front.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.params, a.attention_layers) < std::tie(b.params, b.attention_layers);
  });

  // Farthest-first from the calibration: each pick joins the reference set, so the
  // picks spread over the front rather than cluster at its far end.
  std::vector<Point> reference;
  for (const auto& text : model.calibration_layouts) reference.push_back(point_of(models::parse_layout(text)));
  Point span(layer_axes().size(), 1.0);
  for (const auto& c : result.front) {
    const Point p = point_of(c.model.layout);
    for (size_t i = 0; i < p.size(); ++i) span[i] = std::max(span[i], p[i]);
  }
  for (auto& c : result.front) c.distance_to_calibration = nearest(point_of(c.model.layout), reference, span);
  std::vector<bool> taken(result.front.size(), false);
  for (int k = 0; k < measure_next && k < static_cast<int>(result.front.size()); ++k) {
    size_t pick = 0;
    double far = -1;
    for (size_t i = 0; i < result.front.size(); ++i) {
      const double d = nearest(point_of(result.front[i].model.layout), reference, span);
      if (taken[i] || d <= far) continue;
      pick = i;
      far = d;
    }
    taken[pick] = true;
    reference.push_back(point_of(result.front[pick].model.layout));
    result.measure_next.push_back(result.front[pick]);
  }
  return result;
}

}  // namespace shishu::planner
