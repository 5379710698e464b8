#include "planner/score.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

namespace shishu::planner {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double relative_error(double predicted, double measured) { return std::abs(predicted - measured) / measured; }

int sign(double v) { return (v > 0) - (v < 0); }

// Pairs ranked within each workload: layouts compete only at the same shape.
double grouped_tau(const std::vector<const PointScore*>& points, const std::vector<double>& predicted, int64_t* pairs) {
  std::map<std::tuple<int64_t, int64_t, int64_t>, std::pair<std::vector<double>, std::vector<double>>> groups;
  for (size_t i = 0; i < points.size(); ++i) {
    const Workload& w = points[i]->workload;
    auto& g = groups[{w.batch, w.new_tokens, w.depth}];
    g.first.push_back(points[i]->measured);
    g.second.push_back(predicted[i]);
  }
  PairCounts all;
  for (const auto& [key, g] : groups) all += count_pairs(g.first, g.second);
  if (pairs) *pairs = all.concordant + all.discordant + all.ties_x + all.ties_y + all.ties_both;
  return kendall_tau_b(all);
}

}  // namespace

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const double rank = p * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (rank - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

PairCounts& PairCounts::operator+=(const PairCounts& o) {
  concordant += o.concordant;
  discordant += o.discordant;
  ties_x += o.ties_x;
  ties_y += o.ties_y;
  ties_both += o.ties_both;
  return *this;
}

PairCounts count_pairs(const std::vector<double>& x, const std::vector<double>& y) {
  PairCounts c;
  for (size_t i = 0; i < x.size(); ++i) {
    for (size_t j = i + 1; j < x.size(); ++j) {
      const int sx = sign(x[i] - x[j]), sy = sign(y[i] - y[j]);
      if (sx == 0 && sy == 0)
        ++c.ties_both;
      else if (sx == 0)
        ++c.ties_x;
      else if (sy == 0)
        ++c.ties_y;
      else if (sx == sy)
        ++c.concordant;
      else
        ++c.discordant;
    }
  }
  return c;
}

double kendall_tau_b(const PairCounts& c) {
  const double untied_x = static_cast<double>(c.concordant + c.discordant + c.ties_y);
  const double untied_y = static_cast<double>(c.concordant + c.discordant + c.ties_x);
  if (untied_x == 0 || untied_y == 0) return kNaN;
  return static_cast<double>(c.concordant - c.discordant) / std::sqrt(untied_x * untied_y);
}

ErrorSummary summarize(const std::vector<double>& e) {
  ErrorSummary s;
  s.points = static_cast<int>(e.size());
  s.median = percentile(e, 0.5);
  s.p90 = percentile(e, 0.9);
  s.max = e.empty() ? kNaN : *std::max_element(e.begin(), e.end());
  return s;
}

Scorecard score(const CostModel& model, const std::vector<Observation>& held_out, const Ceilings& ceilings) {
  std::vector<PointScore> points;
  for (size_t i = 0; i < held_out.size(); ++i) {
    const Observation& o = held_out[i];
    validate(o, i);
    const Prediction p = predict(model, o.model, o.workload);
    const double e = relative_error(p.value, o.measured);
    points.push_back(
        {o.model.name, o.workload, o.measured, p.value, e, o.noise_rel, e <= o.noise_rel, p.extrapolated, {}});
    const QuantityModel& qm = *model.find(o.workload.quantity);
    for (const auto& b : baselines()) {
      if (!applies(b, o.workload.quantity)) continue;
      double factor = 1;
      for (const auto& [name, k] : qm.baseline_factors) {
        if (name == b.name) factor = k;
      }
      const double raw = b.raw(o.model, o.workload, model.provenance.bytes_per_element, ceilings);
      points.back().baselines.push_back({std::string(b.name), from_fit_target(o.workload, factor * raw)});
    }
  }
  return tally(std::move(points));
}

Scorecard tally(std::vector<PointScore> all) {
  Scorecard card;
  card.points = std::move(all);
  for (const auto& row : quantities()) {
    std::vector<const PointScore*> points;
    for (const auto& p : card.points) {
      if (p.workload.quantity == row.id) points.push_back(&p);
    }
    if (points.empty()) continue;
    QuantityScore qs;
    qs.quantity = row.id;
    std::vector<double> errors, noise, predicted;
    for (const PointScore* p : points) {
      errors.push_back(p->relative_error);
      noise.push_back(p->noise_rel);
      predicted.push_back(p->predicted);
      qs.hits += p->hit;
    }
    qs.errors = summarize(errors);
    qs.median_noise = percentile(noise, 0.5);
    qs.kendall_tau = grouped_tau(points, predicted, &qs.ranked_pairs);
    // A baseline is scored where it predicted every point of the quantity: the roofline
    // only with measured ceilings.
    for (const auto& b : baselines()) {
      std::vector<double> predicted_b, errors_b;
      for (const PointScore* p : points) {
        double v = kNaN;
        for (const auto& bp : p->baselines) {
          if (bp.name == b.name) v = bp.predicted;
        }
        predicted_b.push_back(v);
        errors_b.push_back(relative_error(v, p->measured));
      }
      if (std::any_of(predicted_b.begin(), predicted_b.end(), [](double v) { return !std::isfinite(v); })) continue;
      qs.baselines.push_back({std::string(b.name), summarize(errors_b), grouped_tau(points, predicted_b, nullptr)});
    }
    card.quantities.push_back(std::move(qs));
  }
  return card;
}

}  // namespace shishu::planner
