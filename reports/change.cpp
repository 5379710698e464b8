#include "reports/change.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "bench/metrics.h"
#include "bench/stats.h"
#include "reports/multiple_testing.h"
#include "reports/rank_statistics.h"

namespace shishu::reports {
namespace {

double to_pct(double log_ratio) {
  if (std::isinf(log_ratio)) return log_ratio;  // an unbounded end stays unbounded
  return std::expm1(log_ratio) * 100;
}

std::vector<double> logs(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v) out.push_back(std::log(x));
  return out;
}

ShiftEstimator estimator(const Change& c) {
  if (c.paired) {
    std::vector<double> d;
    for (size_t i = 0; i < c.base_values.size(); ++i) d.push_back(std::log(c.current_values[i] / c.base_values[i]));
    return ShiftEstimator::paired(d);
  }
  return ShiftEstimator::unpaired(logs(c.base_values), logs(c.current_values));
}

void set_interval(Change& c, const ShiftEstimator& e, double confidence) {
  const auto iv = e.interval(confidence);
  c.lower_pct = to_pct(iv.lower);
  c.upper_pct = to_pct(iv.upper);
  c.confidence = confidence;
}

bool higher_is_worse(const std::string& metric) {
  return bench::metric(metric).direction == bench::Direction::kLowerIsBetter;
}

// Where the interval [lower, upper] lies against the thresholds -T and +T.
Verdict locate(const Change& c) {
  const double t = c.threshold_pct;
  const bool above = c.lower_pct > t, below = c.upper_pct < -t;
  if (above || below) return above == higher_is_worse(c.metric) ? Verdict::kRegression : Verdict::kImprovement;
  if (c.lower_pct >= -t && c.upper_pct <= t) return Verdict::kUnchanged;
  return Verdict::kInconclusive;
}

std::string pct_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g%%", v);
  return buf;
}

}  // namespace

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::kUnchanged: return "unchanged";
    case Verdict::kImprovement: return "improvement";
    case Verdict::kRegression: return "regression";
    case Verdict::kInconclusive: return "inconclusive";
  }
  return "inconclusive";
}

double ChangeOptions::threshold_for(const std::string& metric) const {
  auto it = metric_threshold_pct.find(metric);
  return it == metric_threshold_pct.end() ? threshold_pct : it->second;
}

void ChangeOptions::validate() const {
  auto text = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(buf);
  };
  auto check_threshold = [&](const std::string& what, double v) {
    if (!(v > 0 && v < 100)) throw std::invalid_argument(what + text(v) + " is out of range: a percentage in (0, 100)");
  };
  check_threshold("--threshold ", threshold_pct);
  for (const auto& [metric, v] : metric_threshold_pct) {
    try {
      bench::metric(metric);
    } catch (const std::out_of_range&) {
      throw std::invalid_argument("--metric-threshold names '" + metric + "', which is not a metric in the field table");
    }
    check_threshold("--metric-threshold " + metric + "=", v);
  }
  if (!(confidence >= 0.5 && confidence < 1)) {
    throw std::invalid_argument("--confidence " + text(confidence) + " is out of range: use a level in [0.5, 1)");
  }
}

std::vector<double> replicate_values(const bench::PointResult& r, const std::string& metric) {
  auto it = r.samples.find(metric);
  if (it == r.samples.end()) return {};
  const std::vector<double>& s = it->second;
  // Decode steps per repetition; a phase without a gen axis pools none.
  const int64_t steps = r.point.has(bench::Axis::kGen) ? r.point.axis(bench::Axis::kGen) - 1 : 0;
  if (metric != "decode_step_ms" || steps <= 0 || s.size() % steps != 0 || s.size() == size_t(steps)) return s;
  std::vector<double> per_repetition;
  for (size_t i = 0; i < s.size(); i += steps) {
    per_repetition.push_back(bench::summarize(std::vector<double>(s.begin() + i, s.begin() + i + steps)).median);
  }
  return per_repetition;
}

Change estimate_change(const std::string& point_id, const std::string& metric, const std::vector<double>& base,
                       const std::vector<double>& current, bool paired, const ChangeOptions& o) {
  Change c;
  c.point_id = point_id;
  c.metric = metric;
  c.paired = paired;
  c.base_values = base;
  c.current_values = current;
  c.n_base = static_cast<int>(base.size());
  c.n_new = static_cast<int>(current.size());
  c.threshold_pct = o.threshold_for(metric);
  c.confidence = o.confidence;
  c.base = bench::summarize(base).median;
  c.current = bench::summarize(current).median;
  bool positive = true;
  for (const auto* v : {&base, &current}) {
    for (double x : *v) positive &= x > 0 && std::isfinite(x);
  }
  if (!positive || (paired && base.size() != current.size())) {
    c.estimate_pct = c.base != 0 ? (c.current - c.base) / c.base * 100 : 0;
    c.lower_pct = -std::numeric_limits<double>::infinity();
    c.upper_pct = std::numeric_limits<double>::infinity();
    c.note = "values are not all positive: no interval";
    return c;
  }
  const ShiftEstimator e = estimator(c);
  c.estimable = true;
  c.estimate_pct = to_pct(e.estimate());
  set_interval(c, e, o.confidence);
  const double up = std::log1p(c.threshold_pct / 100), down = std::log1p(-c.threshold_pct / 100);
  c.p_beyond = std::min(1.0, 2 * std::min(e.p_above(up), e.p_below(down)));
  if (!e.interval(o.confidence).bounded) {
    char buf[160];
    if (paired) {
      std::snprintf(buf, sizeof buf, "%d rounds reach at most %.1f%% confidence", c.n_base, 100 * e.max_confidence());
    } else {
      std::snprintf(buf, sizeof buf, "%d vs %d repetitions reach at most %.1f%% confidence", c.n_base, c.n_new,
                    100 * e.max_confidence());
    }
    c.note = buf;
  }
  return c;
}

Change threshold_change(const std::string& point_id, const std::string& metric, double base, double current,
                        const ChangeOptions& o) {
  Change c;
  c.point_id = point_id;
  c.metric = metric;
  c.n_base = c.n_new = 1;
  c.base = base;
  c.current = current;
  c.threshold_pct = o.threshold_for(metric);
  c.estimate_pct = base != 0 ? (current - base) / base * 100 : 0;
  c.lower_pct = c.upper_pct = c.estimate_pct;
  c.confidence = 1;
  c.note = "one figure per report: threshold only";
  c.verdict = locate(c);
  return c;
}

int decide(std::vector<Change>& family, const ChangeOptions& o) {
  std::vector<size_t> tested;
  std::vector<double> p;
  for (size_t i = 0; i < family.size(); ++i) {
    if (!family[i].estimable) continue;
    tested.push_back(i);
    p.push_back(family[i].p_beyond);
  }
  const BhSelection bh = benjamini_hochberg(p, 1 - o.confidence);
  const int m = static_cast<int>(tested.size());
  for (size_t k = 0; k < tested.size(); ++k) {
    Change& c = family[tested[k]];
    if (bh.selected[k]) {
      set_interval(c, estimator(c), bh.adjusted_confidence);
      c.verdict = locate(c);
      continue;
    }
    const Verdict alone = locate(c);
    if (alone == Verdict::kUnchanged) {
      c.verdict = Verdict::kUnchanged;
    } else {
      c.verdict = Verdict::kInconclusive;
      if (alone != Verdict::kInconclusive) {
        c.note = "beyond " + pct_text(c.threshold_pct) + " on its own, but not after the correction for " +
                 std::to_string(m) + " comparisons";
      }
    }
  }
  return m;
}

}  // namespace shishu::reports
