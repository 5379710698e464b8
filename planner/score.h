// How well a cost model's predictions hold, point by point, against measured held-out
// observations: relative errors and their median, p90 and max per quantity, the
// run-to-run noise beside them (an error inside the point's noise is a hit), Kendall's
// tau-b of the ranking of layouts, and the baselines (baselines.h) on the same points.
//
// The statistics are written here because this layer sits below reports/ (which has
// its own) and may depend on models_core alone; each is a few lines of arithmetic,
// checked in the tests against hand-worked examples.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "planner/baselines.h"
#include "planner/cost_model.h"

namespace shishu::planner {

// The p-quantile (0 <= p <= 1) by linear interpolation between order statistics
// (numpy's default, as reports/SCHEMA.md's percentiles). NaN for no values.
double percentile(std::vector<double> values, double p);

// Pair counts of two paired rankings: each pair of items is concordant, discordant,
// tied in x only, tied in y only, or tied in both.
struct PairCounts {
  int64_t concordant = 0, discordant = 0, ties_x = 0, ties_y = 0, ties_both = 0;
  PairCounts& operator+=(const PairCounts& o);
};
PairCounts count_pairs(const std::vector<double>& x, const std::vector<double>& y);
// tau-b = (C - D) / sqrt((C + D + Tx) (C + D + Ty)); NaN when either ranking is all ties.
// Pooled counts of several groups give a stratified tau: pairs only within a group.
double kendall_tau_b(const PairCounts& c);

struct ErrorSummary {
  int points = 0;
  double median = 0, p90 = 0, max = 0;  // of |predicted - measured| / measured
};
ErrorSummary summarize(const std::vector<double>& relative_errors);

struct BaselinePoint {
  std::string name;  // Baseline::name
  double predicted = 0;  // NaN where it cannot predict (no ceilings)
};

struct PointScore {
  std::string model;  // the observation's model name
  Workload workload;
  double measured = 0, predicted = 0;
  double relative_error = 0;  // |predicted - measured| / measured
  double noise_rel = 0;       // the observation's run-to-run noise
  bool hit = false;           // relative_error <= noise_rel
  std::vector<std::string> extrapolated;
  std::vector<BaselinePoint> baselines;  // every baseline that applies to the quantity
};

struct BaselineScore {
  std::string name;
  ErrorSummary errors;
  double kendall_tau = 0;
};

struct QuantityScore {
  Quantity quantity = Quantity::forward_ms;
  ErrorSummary errors;
  double median_noise = 0;  // median noise_rel of its points
  int hits = 0;
  // Layouts ranked against each other at each shared workload (batch, tokens, depth),
  // pooled; NaN with no two layouts at one workload.
  double kendall_tau = 0;
  int64_t ranked_pairs = 0;
  std::vector<BaselineScore> baselines;
};

struct Scorecard {
  std::vector<PointScore> points;
  std::vector<QuantityScore> quantities;  // in quantities() order, those with points
};

// Scores `held_out` (measured, never used to fit). Throws std::invalid_argument like
// predict() for a quantity or width the model does not cover, or a bad observation.
Scorecard score(const CostModel& model, const std::vector<Observation>& held_out, const Ceilings& ceilings = {});

// The per-quantity summaries of scored points, which may come from several models (the
// folds of a leave-one-layout-out): what score() returns, for any set of its points.
Scorecard tally(std::vector<PointScore> points);

}  // namespace shishu::planner
