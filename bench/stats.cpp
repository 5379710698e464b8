#include "bench/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace shishu::bench {

double percentile(std::vector<double> samples, double q) {
  if (samples.empty()) throw std::invalid_argument("percentile of no samples");
  std::sort(samples.begin(), samples.end());
  const double rank = q / 100.0 * static_cast<double>(samples.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, samples.size() - 1);
  return samples[lo] + (rank - static_cast<double>(lo)) * (samples[hi] - samples[lo]);
}

Summary summarize(std::vector<double> samples) {
  if (samples.empty()) throw std::invalid_argument("summary of no samples");
  Summary s;
  s.n = static_cast<int64_t>(samples.size());
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / s.n;
  double ss = 0;
  for (double x : samples) ss += (x - s.mean) * (x - s.mean);
  s.stddev = s.n > 1 ? std::sqrt(ss / (s.n - 1)) : 0.0;
  s.cv = s.mean != 0 ? s.stddev / s.mean : 0.0;
  const auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
  s.min = *lo;
  s.max = *hi;
  s.median = percentile(samples, 50);
  s.p90 = percentile(samples, 90);
  return s;
}

double decode_throughput(int64_t batch, int64_t generated_tokens, double total_ms, double ttft_ms) {
  if (generated_tokens < 2) throw std::invalid_argument("throughput needs at least 2 generated tokens");
  if (!(total_ms > ttft_ms)) throw std::invalid_argument("throughput needs total time > TTFT");
  return static_cast<double>(batch) * static_cast<double>(generated_tokens - 1) / ((total_ms - ttft_ms) / 1000.0);
}

}  // namespace shishu::bench
