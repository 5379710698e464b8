// How many timed samples a point gets. Two rules, one home:
//  fixed  exactly N repetitions (`--reps N`, or a preset's "repetitions"): what the
//         paper did (3 trials), and what the CPU presets use, so CI's time is known.
//  noise  after nvbench: keep sampling until the point's median is known to within
//         max_noise_pct, with at least min_samples samples and min_time_s of sampling,
//         and stop at timeout_s regardless. A point stopped by the timeout above its
//         target is flagged, with the noise it reached.
// "Noise" here is the half-width of the distribution-free 95% confidence interval of
// the median (from order statistics), relative to the median. Unlike nvbench's relative
// standard deviation it shrinks as samples accumulate, so the target is a precision
// ("the median to within 1%"), reachable whenever the timings are stable in
// distribution; a spread that is itself wide (host overhead) takes longer, and shows.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace shishu::bench {

struct NoiseRule {
  double max_noise_pct = 1.0;  // target half-width of the median's 95% interval, % of it
  int min_samples = 10;        // at least this many (a 95% interval needs 6 or more)
  double min_time_s = 0.5;     // and at least this much sampling, for short points
  double timeout_s = 15.0;     // then stop, flagged if still above the target
  std::string describe() const;  // "noise <= 1% (>= 10 samples, >= 0.5 s, timeout 15 s)"
};

// The distribution-free interval for the median: the order statistics (k, n+1-k) with
// the largest k whose binomial(n, 1/2) coverage is at least `confidence`. nullopt when
// n is too small for any pair to reach it (n < 6 at 95%).
struct MedianInterval {
  double lower = 0, median = 0, upper = 0;
};
std::optional<MedianInterval> median_interval(std::vector<double> samples, double confidence = 0.95);

// The interval's larger half-width, in % of the median; nullopt where it does not exist.
std::optional<double> median_noise_pct(const std::vector<double>& samples);

enum class SamplingState { kContinue, kSettled, kTimedOut };
SamplingState next_sampling_state(const std::vector<double>& samples, double elapsed_s, const NoiseRule& rule);

}  // namespace shishu::bench
