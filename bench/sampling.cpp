#include "bench/sampling.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench/stats.h"

namespace shishu::bench {

std::string NoiseRule::describe() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "noise <= %g%% (>= %d samples, >= %g s, timeout %g s)", max_noise_pct, min_samples,
                min_time_s, timeout_s);
  return buf;
}

std::optional<MedianInterval> median_interval(std::vector<double> samples, double confidence) {
  const auto n = static_cast<int64_t>(samples.size());
  if (n == 0) return std::nullopt;
  std::sort(samples.begin(), samples.end());
  // Coverage of (X_(k), X_(n+1-k)) is 1 - 2 P(B <= k-1), B ~ binomial(n, 1/2). The
  // cumulative is summed in log space: 0.5^n underflows a double past n = 1074.
  const double alpha_half = (1.0 - confidence) / 2.0;
  double cumulative = 0;
  int64_t k = 0;  // the largest k with P(B <= k-1) <= alpha/2
  for (int64_t j = 0; j < n / 2; ++j) {
    const double log_pmf = std::lgamma(double(n) + 1) - std::lgamma(double(j) + 1) - std::lgamma(double(n - j) + 1) +
                           double(n) * std::log(0.5);
    cumulative += std::exp(log_pmf);  // now P(B <= j)
    if (cumulative > alpha_half) break;
    k = j + 1;
  }
  if (k < 1) return std::nullopt;
  return MedianInterval{samples[k - 1], percentile(samples, 50), samples[n - k]};
}

std::optional<double> median_noise_pct(const std::vector<double>& samples) {
  const auto ci = median_interval(samples);
  if (!ci || !(ci->median > 0)) return std::nullopt;
  return 100.0 * std::max(ci->median - ci->lower, ci->upper - ci->median) / ci->median;
}

SamplingState next_sampling_state(const std::vector<double>& samples, double elapsed_s, const NoiseRule& rule) {
  const bool enough = static_cast<int>(samples.size()) >= rule.min_samples && elapsed_s >= rule.min_time_s;
  if (enough) {
    const auto noise = median_noise_pct(samples);
    if (noise && *noise <= rule.max_noise_pct) return SamplingState::kSettled;
  }
  return elapsed_s >= rule.timeout_s ? SamplingState::kTimedOut : SamplingState::kContinue;
}

}  // namespace shishu::bench
