// Summary statistics of repeated measurements, and the paper's throughput formula.
#pragma once
#include <cstdint>
#include <vector>

namespace shishu::bench {

struct Summary {
  int64_t n = 0;
  double median = 0, mean = 0, stddev = 0, cv = 0, min = 0, max = 0, p90 = 0;
};

// stddev is the sample standard deviation (n-1), 0 for one sample; cv = stddev/mean.
// Percentiles interpolate linearly between order statistics (numpy's default), so
// the median of {1,2,3,4} is 2.5 and its p90 is 3.7. Throws on an empty input.
Summary summarize(std::vector<double> samples);
double percentile(std::vector<double> samples, double q);  // q in [0, 100]

// The paper's Eq. 1 with the batch factor its Table 10 implies: tokens generated after
// the first, per second of decoding. total and ttft in milliseconds; result tokens/s.
// Throws std::invalid_argument if G < 2 or total <= ttft.
double decode_throughput(int64_t batch, int64_t generated_tokens, double total_ms, double ttft_ms);

}  // namespace shishu::bench
