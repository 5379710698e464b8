#include "reports/rank_statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace shishu::reports {
namespace {

// Exact distributions are used while they stay cheap to tabulate; beyond, the normal
// approximation with continuity correction is within 1e-3 of them.
constexpr long kMaxExactStatistic = 2500;
// More elementary estimates than this (2000 x 2000 pairs) cost seconds for nothing: a
// larger sample is thinned to evenly spaced order statistics first, which can only
// widen the interval.
constexpr size_t kMaxSample = 2000;

std::vector<double> thinned(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  if (x.size() <= kMaxSample) return x;
  std::vector<double> out(kMaxSample);
  for (size_t i = 0; i < kMaxSample; ++i) out[i] = x[i * (x.size() - 1) / (kMaxSample - 1)];
  return out;
}

std::vector<double> cumulative(std::vector<double> p) {
  double total = 0;
  for (double& v : p) v = total += v;
  return p;
}

}  // namespace

std::vector<double> mann_whitney_null(int n1, int n2) {
  // Arrangements of n1 + n2 items per U by the recurrence
  // f(i, j, u) = f(i-1, j, u-j) + f(i, j-1, u): the largest item is from the first sample
  // (it beats all j of the second) or not. dp[j][u] holds f for the current i.
  const int max_u = n1 * n2;
  std::vector<std::vector<double>> prev(n2 + 1, std::vector<double>(max_u + 1, 0.0));
  for (int j = 0; j <= n2; ++j) prev[j][0] = 1;
  for (int i = 1; i <= n1; ++i) {
    std::vector<std::vector<double>> cur(n2 + 1, std::vector<double>(max_u + 1, 0.0));
    cur[0][0] = 1;
    for (int j = 1; j <= n2; ++j) {
      for (int u = 0; u <= i * j; ++u) cur[j][u] = (u >= j ? prev[j][u - j] : 0.0) + cur[j - 1][u];
    }
    prev.swap(cur);
  }
  std::vector<double> dist = prev[n2];
  double total = 0;
  for (double c : dist) total += c;
  for (double& c : dist) c /= total;
  return dist;
}

std::vector<double> signed_rank_null(int n) {
  // Each rank 1..n is positive or not with probability 1/2, independently.
  const int max_w = n * (n + 1) / 2;
  std::vector<double> dist(max_w + 1, 0.0);
  dist[0] = 1;
  for (int r = 1; r <= n; ++r) {
    for (int w = max_w; w >= r; --w) dist[w] = (dist[w] + dist[w - r]) / 2;
    for (int w = r - 1; w >= 0; --w) dist[w] /= 2;
  }
  return dist;
}

ShiftEstimator ShiftEstimator::paired(const std::vector<double>& d) {
  if (d.empty()) throw std::invalid_argument("a paired shift needs at least one difference");
  const std::vector<double> x = thinned(d);
  ShiftEstimator e;
  e.n1_ = static_cast<int>(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    for (size_t j = i; j < x.size(); ++j) e.elementary_.push_back((x[i] + x[j]) / 2);
  }
  std::sort(e.elementary_.begin(), e.elementary_.end());
  const double n = e.n1_;
  const long m = static_cast<long>(e.elementary_.size());
  if (m <= kMaxExactStatistic) e.cdf_ = cumulative(signed_rank_null(e.n1_));
  e.null_mean_ = m / 2.0;
  e.null_sd_ = std::sqrt(n * (n + 1) * (2 * n + 1) / 24.0);
  return e;
}

ShiftEstimator ShiftEstimator::unpaired(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) throw std::invalid_argument("an unpaired shift needs two non-empty samples");
  const std::vector<double> x = thinned(a), y = thinned(b);
  ShiftEstimator e;
  e.n1_ = static_cast<int>(x.size());
  e.n2_ = static_cast<int>(y.size());
  e.elementary_.reserve(x.size() * y.size());
  for (double yj : y) {
    for (double xi : x) e.elementary_.push_back(yj - xi);
  }
  std::sort(e.elementary_.begin(), e.elementary_.end());
  const double n1 = e.n1_, n2 = e.n2_;
  if (static_cast<long>(e.elementary_.size()) <= kMaxExactStatistic) e.cdf_ = cumulative(mann_whitney_null(e.n1_, e.n2_));
  e.null_mean_ = n1 * n2 / 2.0;
  e.null_sd_ = std::sqrt(n1 * n2 * (n1 + n2 + 1) / 12.0);
  return e;
}

double ShiftEstimator::null_cdf(long k) const {
  if (k < 0) return 0;
  if (!cdf_.empty()) return k >= static_cast<long>(cdf_.size()) ? 1.0 : std::min(1.0, cdf_[k]);
  const double z = (k + 0.5 - null_mean_) / null_sd_;
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double ShiftEstimator::estimate() const {
  const size_t m = elementary_.size();
  return m % 2 ? elementary_[m / 2] : (elementary_[m / 2 - 1] + elementary_[m / 2]) / 2;
}

ShiftEstimator::Interval ShiftEstimator::interval(double confidence) const {
  // A relative slack of 1e-9: an exact null CDF can equal the tail (7/70 = 0.1), which
  // (1 - 0.8) / 2 misses by one rounding.
  const double tail = (1 - confidence) / 2 * (1 + 1e-9);
  const long m = static_cast<long>(elementary_.size());
  if (null_cdf(0) > tail) {
    const double inf = std::numeric_limits<double>::infinity();
    return {-inf, inf, false};
  }
  // Largest k with CDF(k) <= tail; the CDF is monotone, so bisect.
  long lo = 0, hi = (m - 1) / 2;
  while (lo < hi) {
    const long mid = (lo + hi + 1) / 2;
    if (null_cdf(mid) <= tail) lo = mid; else hi = mid - 1;
  }
  return {elementary_[lo], elementary_[m - 1 - lo], true};
}

double ShiftEstimator::max_confidence() const { return 1 - 2 * null_cdf(0); }

double ShiftEstimator::p_above(double t) const {
  // Under "shift = t", the count of elementary estimates <= t has the null distribution;
  // counting ties with t as <= keeps the p-value conservative.
  const long at_or_below = std::upper_bound(elementary_.begin(), elementary_.end(), t) - elementary_.begin();
  return null_cdf(at_or_below);
}

double ShiftEstimator::p_below(double t) const {
  const long at_or_above = elementary_.end() - std::lower_bound(elementary_.begin(), elementary_.end(), t);
  return null_cdf(at_or_above);
}

}  // namespace shishu::reports
