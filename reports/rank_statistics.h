// Rank-based shift estimates with exact confidence intervals, for the regression gate.
//
// Both estimators work on "elementary estimates" and a distribution-free null:
//  - paired (one sample of per-round differences d): the Walsh averages (d_i + d_j)/2,
//    i <= j, and the Wilcoxon signed-rank statistic (Tukey's construction);
//  - unpaired (samples a and b): the differences b_j - a_i, and the Mann-Whitney U
//    statistic (Hodges-Lehmann / Moses).
// The estimate is the median of the elementary estimates (Hodges-Lehmann). The
// interval at level c is [E_(k+1), E_(M-k)] with k the largest count whose null CDF
// is <= (1-c)/2; when even k = 0 exceeds it, the sample sizes cannot support level c
// and the interval is unbounded. Test and interval are dual: p_above(t) <= a exactly
// when the one-sided lower bound at level 1-a lies above t.
#pragma once
#include <vector>

namespace shishu::reports {

class ShiftEstimator {
 public:
  // d: per-round differences (e.g. log ratios). Throws std::invalid_argument if empty.
  static ShiftEstimator paired(const std::vector<double>& d);
  // Shift of b relative to a. Throws std::invalid_argument if either is empty.
  static ShiftEstimator unpaired(const std::vector<double>& a, const std::vector<double>& b);

  double estimate() const;  // Hodges-Lehmann
  struct Interval {
    double lower, upper;  // -inf / +inf when the level is out of reach
    bool bounded;
  };
  Interval interval(double confidence) const;
  // Highest two-sided confidence these sample sizes can reach (the [min, max] interval).
  double max_confidence() const;
  // One-sided p-values: H0 "shift <= t" against "shift > t", and the mirror image.
  double p_above(double t) const;
  double p_below(double t) const;

  int n1() const { return n1_; }
  int n2() const { return n2_; }

 private:
  double null_cdf(long k) const;  // P(statistic <= k) under "no shift"
  std::vector<double> elementary_;  // sorted
  int n1_ = 0, n2_ = 0;            // paired: n2_ == 0
  std::vector<double> cdf_;        // exact null CDF, or empty for the normal approximation
  double null_mean_ = 0, null_sd_ = 0;
};

// Exact null probabilities P(U = u), u = 0..n1*n2, of the Mann-Whitney statistic.
std::vector<double> mann_whitney_null(int n1, int n2);
// Exact null probabilities P(W+ = w), w = 0..n(n+1)/2, of the signed-rank statistic.
std::vector<double> signed_rank_null(int n);

}  // namespace shishu::reports
