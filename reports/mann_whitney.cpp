#include "reports/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace shishu::reports {
namespace {

// Number of arrangements of n1 + n2 items giving each U, by the recurrence
// f(n1, n2, u) = f(n1-1, n2, u-n2) + f(n1, n2-1, u), as probabilities.
std::vector<double> exact_distribution(int n1, int n2) {
  // dp[j][u] for the current i; i runs 0..n1.
  const int max_u = n1 * n2;
  std::vector<std::vector<double>> prev(n2 + 1, std::vector<double>(max_u + 1, 0.0));
  for (int j = 0; j <= n2; ++j) prev[j][0] = 1;  // i = 0: one arrangement, U = 0
  for (int i = 1; i <= n1; ++i) {
    std::vector<std::vector<double>> cur(n2 + 1, std::vector<double>(max_u + 1, 0.0));
    cur[0][0] = 1;
    for (int j = 1; j <= n2; ++j) {
      for (int u = 0; u <= i * j; ++u) {
        // Largest element from the first sample (beats all j of the second) or not.
        cur[j][u] = (u >= j ? prev[j][u - j] : 0.0) + cur[j - 1][u];
      }
    }
    prev.swap(cur);
  }
  std::vector<double> dist = prev[n2];
  double total = 0;
  for (double c : dist) total += c;
  for (double& c : dist) c /= total;
  return dist;
}

}  // namespace

MannWhitney mann_whitney(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) throw std::invalid_argument("Mann-Whitney needs two non-empty samples");
  const int n1 = static_cast<int>(a.size()), n2 = static_cast<int>(b.size());
  // Midranks over the pooled sample.
  std::vector<std::pair<double, int>> pooled;
  for (double x : a) pooled.push_back({x, 0});
  for (double x : b) pooled.push_back({x, 1});
  std::sort(pooled.begin(), pooled.end());
  const int n = n1 + n2;
  std::vector<double> rank(n);
  double tie_term = 0;  // sum of t^3 - t over tie groups
  bool ties = false;
  for (int i = 0; i < n;) {
    int j = i;
    while (j + 1 < n && pooled[j + 1].first == pooled[i].first) ++j;
    const double mid = (i + j) / 2.0 + 1.0;
    for (int k = i; k <= j; ++k) rank[k] = mid;
    const double t = j - i + 1;
    if (t > 1) ties = true;
    tie_term += t * t * t - t;
    i = j + 1;
  }
  double rank_sum_a = 0;
  for (int k = 0; k < n; ++k) {
    if (pooled[k].second == 0) rank_sum_a += rank[k];
  }
  MannWhitney r;
  r.u = rank_sum_a - n1 * (n1 + 1) / 2.0;
  // The most extreme arrangement: probability 2 / C(n, n1).
  double log_choose = std::lgamma(n + 1.0) - std::lgamma(n1 + 1.0) - std::lgamma(n2 + 1.0);
  r.min_attainable_p = std::min(1.0, 2.0 * std::exp(-log_choose));

  if (!ties && n1 * n2 <= 2500) {
    const auto dist = exact_distribution(n1, n2);
    const int u = static_cast<int>(std::lround(r.u));
    double lower = 0, upper = 0;
    for (int k = 0; k <= u; ++k) lower += dist[k];
    for (int k = u; k < static_cast<int>(dist.size()); ++k) upper += dist[k];
    r.p_two_sided = std::min(1.0, 2.0 * std::min(lower, upper));
    r.exact = true;
    return r;
  }
  // Normal approximation with tie correction and continuity correction.
  const double mean = n1 * n2 / 2.0;
  const double var = n1 * n2 / 12.0 * ((n + 1) - tie_term / (double(n) * (n - 1)));
  if (var <= 0) {
    r.p_two_sided = 1;  // every value tied: no evidence of a difference
    return r;
  }
  const double z = (std::fabs(r.u - mean) - 0.5) / std::sqrt(var);
  r.p_two_sided = std::min(1.0, std::erfc(std::max(z, 0.0) / std::sqrt(2.0)));
  return r;
}

}  // namespace shishu::reports
