// Noise-driven sampling (bench/sampling.h): the median's distribution-free interval
// against a naive exact binomial computed in integers, and the stopping rule.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "bench/environment.h"
#include "bench/sampling.h"
#include "bench/preset.h"
#include "bench/sweep.h"

using namespace shishu::bench;

namespace {

// The largest k with P(B <= k-1) <= 2.5%, B ~ binomial(n, 1/2), from exact integer
// binomial coefficients (n <= 60 keeps them in 64 bits): the naive reference.
int64_t naive_k(int64_t n) {
  uint64_t c = 1, cumulative = 0;  // C(n, j), and the sum of C(n, 0..j)
  const long double total = std::ldexp(1.0L, static_cast<int>(n));
  int64_t k = 0;
  for (int64_t j = 0; j < n / 2; ++j) {
    if (j > 0) c = c * static_cast<uint64_t>(n - j + 1) / static_cast<uint64_t>(j);
    cumulative += c;
    if (static_cast<long double>(cumulative) / total > 0.025L) break;
    k = j + 1;
  }
  return k;
}

std::vector<double> one_to(int64_t n) {
  std::vector<double> v;
  for (int64_t i = n; i >= 1; --i) v.push_back(static_cast<double>(i));  // unsorted on purpose
  return v;
}

}  // namespace

TEST(Sampling, MedianIntervalMatchesTheExactBinomial) {
  for (int64_t n = 1; n <= 60; ++n) {
    const auto ci = median_interval(one_to(n));
    const int64_t k = naive_k(n);
    if (k == 0) {
      EXPECT_FALSE(ci) << n;
      continue;
    }
    ASSERT_TRUE(ci) << n;
    EXPECT_EQ(ci->lower, static_cast<double>(k)) << n;  // the k-th smallest of 1..n is k
    EXPECT_EQ(ci->upper, static_cast<double>(n + 1 - k)) << n;
    EXPECT_EQ(ci->median, (n + 1) / 2.0) << n;
  }
  EXPECT_FALSE(median_interval(one_to(5)));  // 5 samples cannot give 95%: 1 - 2/32 < 0.95
  EXPECT_EQ(median_interval(one_to(6))->lower, 1.0);
  EXPECT_EQ(median_interval(one_to(10))->lower, 2.0);  // P(B <= 1) = 11/1024, P(B <= 2) = 56/1024
}

TEST(Sampling, LargeSamplesUseTheNormalWidth) {
  // n = 4000: 0.5^n underflows a double; the log-space sum must still give k close to
  // n/2 - 1.96 sqrt(n)/2 (the normal approximation), i.e. about 1938.
  const auto ci = median_interval(one_to(4000));
  ASSERT_TRUE(ci);
  EXPECT_NEAR(ci->lower, 4000 / 2.0 - 1.96 * std::sqrt(4000.0) / 2.0, 2.0);
}

TEST(Sampling, NoiseIsTheIntervalsHalfWidthInPercent) {
  // 1..11: median 6, k = 2 (P(B <= 1) = 12/2048), interval (2, 10): half-width 4 = 66.7%.
  EXPECT_NEAR(*median_noise_pct(one_to(11)), 100.0 * 4 / 6, 1e-9);
  EXPECT_FALSE(median_noise_pct({1, 2, 3}));
}

TEST(Sampling, StopsWhenSettledOrTimedOut) {
  const NoiseRule rule{1.0, 10, 0.5, 15.0};
  const std::vector<double> flat(10, 2.0), nine(9, 2.0);
  EXPECT_EQ(next_sampling_state(flat, 0.6, rule), SamplingState::kSettled);
  EXPECT_EQ(next_sampling_state(nine, 0.6, rule), SamplingState::kContinue);   // too few samples
  EXPECT_EQ(next_sampling_state(flat, 0.4, rule), SamplingState::kContinue);   // too little time
  EXPECT_EQ(next_sampling_state(one_to(40), 3.0, rule), SamplingState::kContinue);  // noisy
  EXPECT_EQ(next_sampling_state(one_to(40), 15.0, rule), SamplingState::kTimedOut);
  EXPECT_EQ(next_sampling_state(nine, 15.0, rule), SamplingState::kTimedOut);
  // Just inside the target: 1000 samples of 100 +/- 0.5 (interval well within 1%).
  std::vector<double> tight;
  for (int i = 0; i < 1000; ++i) tight.push_back(100.0 + (i % 11 - 5) * 0.1);
  EXPECT_EQ(next_sampling_state(tight, 1.0, rule), SamplingState::kSettled);
}

TEST(Sampling, PresetsAndFlagsChooseTheRule) {
  const std::string grids = R"("grids": [{"phase": "forward", "models": "125m:1", "seq": 8}])";
  Sweep fixed = parse_sweep(R"({"repetitions": 4, )" + grids + "}", "p");
  EXPECT_FALSE(fixed.settings.noise);
  Sweep noisy = parse_sweep(R"({"sampling": {"max_noise_pct": 2, "timeout_s": 30}, )" + grids + "}", "p");
  ASSERT_TRUE(noisy.settings.noise);
  EXPECT_EQ(noisy.settings.noise->max_noise_pct, 2.0);
  EXPECT_EQ(noisy.settings.noise->timeout_s, 30.0);
  EXPECT_EQ(noisy.settings.noise->min_samples, 10);  // the default
  EXPECT_THROW(parse_sweep(R"({"sampling": {"max_noise": 2}, )" + grids + "}", "p"), std::invalid_argument);
  EXPECT_THROW(parse_sweep(R"({"sampling": {"max_noise_pct": 0}, )" + grids + "}", "p"), std::invalid_argument);
  EXPECT_THROW(parse_sweep(R"({"sampling": 1, )" + grids + "}", "p"), std::invalid_argument);

  Overrides reps;
  reps.repetitions = 5;
  apply_overrides(noisy, reps);  // --reps N is a fixed count, whatever the preset says
  EXPECT_FALSE(noisy.settings.noise);
  EXPECT_EQ(noisy.settings.repetitions, 5);
  Overrides noise;
  noise.noise_pct = 0.5;
  apply_overrides(fixed, noise);
  ASSERT_TRUE(fixed.settings.noise);
  EXPECT_EQ(fixed.settings.noise->max_noise_pct, 0.5);
  Overrides both = reps;
  both.noise_pct = 1;
  EXPECT_THROW(apply_overrides(fixed, both), std::invalid_argument);
  Overrides silly;
  silly.noise_pct = 0;
  EXPECT_THROW(apply_overrides(fixed, silly), std::invalid_argument);
}

// Per-sample SM clocks: samples below 75% of the default clock are flagged by index.
TEST(Clocks, LowClockSamplesAreNamed) {
  EXPECT_EQ(low_clock_flag({1980, 1980, 1400, 1000}, 1980),
            "low clock: 2 of 4 samples below 75% of the default 1980 MHz (lowest 1000 MHz): samples 2,3");
  EXPECT_EQ(low_clock_flag({1980, 1485, 1500}, 1980), "");  // 1485 = 75% exactly: not below
  EXPECT_EQ(low_clock_flag({100, 100}, 0), "");            // no default known: no verdict
}
