// The regression gate: rank statistics against brute-force enumeration and hand
// arithmetic, Benjamini-Hochberg against worked examples, and the verdicts of compare on
// synthetic reports and rounds whose truth is known.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "reports/change.h"
#include "reports/compare.h"
#include "reports/context_guard.h"
#include "reports/multiple_testing.h"
#include "reports/rank_statistics.h"
#include "synthetic_report.h"

using namespace shishu;
using namespace shishu::reports;

namespace {

// Independent references: the null distributions by enumerating every arrangement.
std::vector<double> brute_signed_rank(int n) {
  const int max_w = n * (n + 1) / 2;
  std::vector<double> p(max_w + 1, 0);
  for (unsigned signs = 0; signs < (1u << n); ++signs) {
    int w = 0;
    for (int r = 1; r <= n; ++r) w += (signs >> (r - 1) & 1) ? r : 0;
    p[w] += 1.0 / (1u << n);
  }
  return p;
}

std::vector<double> brute_mann_whitney(int n1, int n2) {
  std::vector<double> p(n1 * n2 + 1, 0);
  int total = 0;
  for (unsigned mask = 0; mask < (1u << (n1 + n2)); ++mask) {
    if (__builtin_popcount(mask) != n1) continue;
    int u = 0;  // pairs (first-sample item, second-sample item) with the first larger
    for (int i = 0; i < n1 + n2; ++i) {
      for (int j = 0; j < i; ++j) u += (mask >> i & 1) && !(mask >> j & 1);
    }
    p[u] += 1;
    ++total;
  }
  for (double& v : p) v /= total;
  return p;
}

using shishu::testing::forward_point;
using shishu::testing::synthetic;

// Rounds of one point whose value is drift[r] * scale * (1 + tiny noise): the machine's
// drift is shared by both sides of a round, as interleaving makes it.
RoundSet rounds(const std::string& path, const std::vector<double>& drift, double scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 0.005);
  RoundSet s;
  s.path = path;
  for (size_t r = 0; r < drift.size(); ++r) {
    s.names.push_back("round-0" + std::to_string(r + 1));
    s.reports.push_back(synthetic({forward_point("m", {100 * drift[r] * scale * (1 + noise(rng))})}, path + "/" + s.names.back()));
  }
  return s;
}

const Change& latency(const Comparison& c) {
  for (const auto& ch : c.points.at(0).changes) {
    if (ch.metric == "latency_ms") return ch;
  }
  throw std::runtime_error("no latency change");
}

}  // namespace

TEST(RankStatistics, NullDistributionsMatchEnumeration) {
  for (int n : {1, 2, 5, 8}) {
    const auto exact = signed_rank_null(n), brute = brute_signed_rank(n);
    ASSERT_EQ(exact.size(), brute.size());
    for (size_t w = 0; w < exact.size(); ++w) EXPECT_NEAR(exact[w], brute[w], 1e-12) << "n=" << n << " w=" << w;
  }
  for (auto [n1, n2] : {std::pair{1, 1}, {3, 3}, {2, 5}, {4, 6}}) {
    const auto exact = mann_whitney_null(n1, n2), brute = brute_mann_whitney(n1, n2);
    ASSERT_EQ(exact.size(), brute.size());
    for (size_t u = 0; u < exact.size(); ++u) EXPECT_NEAR(exact[u], brute[u], 1e-12) << n1 << "," << n2 << " u=" << u;
  }
}

TEST(RankStatistics, HodgesLehmannEstimatesByHand) {
  // Walsh averages of {1, 2, 6}: 1, 1.5, 2, 3.5, 4, 6 -> median (2 + 3.5) / 2.
  EXPECT_DOUBLE_EQ(ShiftEstimator::paired({1, 2, 6}).estimate(), 2.75);
  // Differences {10, 11} - {1, 2, 4}: 9, 8, 6, 10, 9, 7 -> median 8.5.
  EXPECT_DOUBLE_EQ(ShiftEstimator::unpaired({1, 2, 4}, {10, 11}).estimate(), 8.5);
  EXPECT_THROW(ShiftEstimator::paired({}), std::invalid_argument);
  EXPECT_THROW(ShiftEstimator::unpaired({1}, {}), std::invalid_argument);
}

TEST(RankStatistics, IntervalsUseTheExactCriticalValues) {
  // Six rounds: P(W+ <= 0) = 1/64 <= 2.5% < P(W+ <= 1) = 2/64, so the 95% interval is
  // [min, max] of the Walsh averages, i.e. of the data, at 96.9% actual coverage.
  const auto six = ShiftEstimator::paired({0.3, -0.1, 0.2, 0.5, 0.1, 0.4});
  const auto iv = six.interval(0.95);
  ASSERT_TRUE(iv.bounded);
  EXPECT_DOUBLE_EQ(iv.lower, -0.1);
  EXPECT_DOUBLE_EQ(iv.upper, 0.5);
  EXPECT_NEAR(six.max_confidence(), 1 - 2.0 / 64, 1e-12);
  // Five rounds cannot reach 95% (2/32 > 5%), nor can 3 vs 3 repetitions (2/20).
  EXPECT_FALSE(ShiftEstimator::paired({1, 2, 3, 4, 5}).interval(0.95).bounded);
  EXPECT_FALSE(ShiftEstimator::unpaired({1, 2, 3}, {4, 5, 6}).interval(0.95).bounded);
  EXPECT_NEAR(ShiftEstimator::unpaired({1, 2, 3}, {4, 5, 6}).max_confidence(), 0.9, 1e-12);
  EXPECT_TRUE(ShiftEstimator::unpaired({1, 2, 3, 4}, {5, 6, 7, 8}).interval(0.95).bounded);
}

TEST(RankStatistics, TestAndIntervalAreDual) {
  // p_above(t) <= a exactly when the one-sided 1-a lower bound (the lower end of the
  // two-sided 1-2a interval) lies above t; likewise below. Checked on random data.
  std::mt19937 rng(7);
  std::normal_distribution<double> x(0.1, 0.2);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<double> a, b;
    for (int i = 0; i < 3 + trial % 9; ++i) a.push_back(x(rng));
    for (int i = 0; i < 4 + trial % 5; ++i) b.push_back(x(rng) + 0.05);
    for (const auto& e : {ShiftEstimator::paired(a), ShiftEstimator::unpaired(a, b)}) {
      for (double t : {-0.2, 0.0, 0.05, 0.2, 0.4}) {
        for (double alpha : {0.025, 0.05, 0.1}) {
          const auto iv = e.interval(1 - 2 * alpha);
          EXPECT_EQ(e.p_above(t) <= alpha, iv.bounded && iv.lower > t) << "trial " << trial << " t " << t;
          EXPECT_EQ(e.p_below(t) <= alpha, iv.bounded && iv.upper < t) << "trial " << trial << " t " << t;
        }
      }
    }
  }
}

TEST(MultipleTesting, BenjaminiHochbergWorkedExamples) {
  // Step-up: 0.02 fails its own bound (0.05/3) but is selected with 0.03 (<= 2*0.05/3).
  auto s = benjamini_hochberg({0.02, 0.03, 0.5}, 0.05);
  EXPECT_EQ(s.selected, (std::vector<bool>{true, true, false}));
  EXPECT_EQ(s.count, 2);
  EXPECT_NEAR(s.adjusted_confidence, 1 - 2 * 0.05 / 3, 1e-12);
  s = benjamini_hochberg({0.04, 0.2, 0.3, 0.5}, 0.05);  // 0.04 > 0.05/4: nothing
  EXPECT_EQ(s.count, 0);
  EXPECT_EQ(benjamini_hochberg({}, 0.05).count, 0);
  EXPECT_THROW(benjamini_hochberg({0.1}, 1.5), std::invalid_argument);
}

TEST(Change, DecodeStepsAreReducedToOneValuePerRepetition) {
  bench::PointResult r;
  r.point.phase = "generate";
  r.point.shape = {{bench::Axis::kBatch, 1}, {bench::Axis::kPrefill, 8}, {bench::Axis::kGen, 4}};  // three decode steps
  for (double v : {1, 2, 9, 5, 6, 7}) r.add_sample("decode_step_ms", v);
  r.add_sample("latency_ms", 3);
  r.add_sample("latency_ms", 4);
  EXPECT_EQ(replicate_values(r, "decode_step_ms"), (std::vector<double>{2, 6}));
  EXPECT_EQ(replicate_values(r, "latency_ms"), (std::vector<double>{3, 4}));
}

TEST(Change, OptionsOutOfRangeAreRefusedByName) {
  ChangeOptions o;
  o.threshold_pct = 0;
  EXPECT_THROW(o.validate(), std::invalid_argument);
  o.threshold_pct = 5;
  o.confidence = 1;
  EXPECT_THROW(o.validate(), std::invalid_argument);
  o.confidence = 0.95;
  o.metric_threshold_pct["latency"] = 3;  // not a metric key
  try {
    o.validate();
    ADD_FAILURE();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'latency'"), std::string::npos) << e.what();
  }
}

TEST(Compare, PairedRoundsCancelDriftAndFindAPlantedSlowdown) {
  // The machine drifts by up to 30% between rounds, far beyond the 5% threshold.
  const std::vector<double> drift = {1.0, 1.3, 0.9, 1.1, 1.25, 0.95, 1.05, 1.2};
  const auto base = rounds("base", drift, 1.0, 1);
  const Comparison aa = compare_rounds(base, rounds("aa", drift, 1.0, 2), {});
  EXPECT_EQ(aa.regressions, 0);
  EXPECT_EQ(latency(aa).verdict, Verdict::kUnchanged);
  const Comparison slow = compare_rounds(base, rounds("slow", drift, 1.10, 3), {});
  EXPECT_EQ(slow.regressions, 1);
  const Change& ch = latency(slow);
  EXPECT_EQ(ch.verdict, Verdict::kRegression);
  EXPECT_NEAR(ch.estimate_pct, 10, 1);
  EXPECT_GT(ch.lower_pct, 5);
  EXPECT_TRUE(ch.paired);
  EXPECT_EQ(ch.n_base, 8);
  // The same rounds read as two pooled unpaired samples see only the drift.
  std::vector<double> pooled_base, pooled_slow;
  for (const auto& r : base.reports) pooled_base.push_back(r.points[0].samples.at("latency_ms")[0]);
  for (const auto& r : rounds("slow", drift, 1.10, 3).reports) pooled_slow.push_back(r.points[0].samples.at("latency_ms")[0]);
  std::vector<Change> family = {estimate_change("m", "latency_ms", pooled_base, pooled_slow, false, {})};
  decide(family, {});
  EXPECT_NE(family[0].verdict, Verdict::kRegression);
}

TEST(Compare, ThroughputDropIsARegressionAndASpeedUpAnImprovement) {
  const std::vector<double> drift = {1, 1.01, 0.99, 1.02, 0.98, 1.0};
  const auto base = rounds("base", drift, 1.0, 4);
  EXPECT_EQ(latency(compare_rounds(base, rounds("fast", drift, 0.8, 5), {})).verdict, Verdict::kImprovement);
  std::vector<Change> family = {
      estimate_change("p", "throughput_tok_s", {100, 101, 99, 100, 102, 98}, {80, 81, 79, 80, 82, 78}, true, {})};
  decide(family, {});
  EXPECT_EQ(family[0].verdict, Verdict::kRegression);
}

TEST(Compare, TooFewRepetitionsAreInconclusiveNeverARegression) {
  const auto base = synthetic({forward_point("m", {100, 100.1, 99.9})});
  const auto slow = synthetic({forward_point("m", {120, 120.1, 119.9})});
  const Comparison c = compare_reports(base, slow, {});
  EXPECT_EQ(c.regressions, 0);
  EXPECT_EQ(latency(c).verdict, Verdict::kInconclusive);
  EXPECT_NE(latency(c).note.find("3 vs 3 repetitions reach at most 90.0% confidence"), std::string::npos)
      << latency(c).note;
  // Eight clean repetitions a side do decide.
  const auto base8 = synthetic({forward_point("m", {100, 100.2, 99.8, 100.1, 99.9, 100.3, 99.7, 100})});
  const auto slow8 = synthetic({forward_point("m", {110, 110.2, 109.8, 110.1, 109.9, 110.3, 109.7, 110})});
  EXPECT_EQ(latency(compare_reports(base8, slow8, {})).verdict, Verdict::kRegression);
}

TEST(Compare, AChangeInsideItsIntervalButAcrossTheThresholdIsInconclusive) {
  // Estimate about +6%, but the rounds disagree from -2% to +14%.
  std::vector<Change> family = {estimate_change("p", "latency_ms", {100, 100, 100, 100, 100, 100},
                                                {98, 114, 103, 109, 101, 112}, true, {})};
  decide(family, {});
  EXPECT_EQ(family[0].verdict, Verdict::kInconclusive);
  EXPECT_LT(family[0].lower_pct, 5);
  EXPECT_GT(family[0].upper_pct, 5);
}

TEST(Compare, ManyComparisonsAreCorrectedTogether) {
  // Six rounds, each +8%: alone, p = 2/64 per comparison. Among 40 unchanged
  // comparisons Benjamini-Hochberg needs p <= 2.5% * 1/41: the lone change is not enough.
  std::vector<Change> family;
  for (int i = 0; i < 40; ++i) {
    family.push_back(estimate_change("p" + std::to_string(i), "latency_ms", {100, 101, 99, 100, 102, 98},
                                     {100.5, 100.5, 99.5, 100.2, 101.5, 98.4}, true, {}));
  }
  family.push_back(estimate_change("q", "latency_ms", {100, 101, 99, 100, 102, 98}, {108, 109, 107, 108, 110, 106}, true, {}));
  EXPECT_EQ(decide(family, {}), 41);
  EXPECT_EQ(family.back().verdict, Verdict::kInconclusive);
  EXPECT_NE(family.back().note.find("not after the correction for 41 comparisons"), std::string::npos);
  // On its own it is a regression.
  std::vector<Change> alone = {family.back()};
  decide(alone, {});
  EXPECT_EQ(alone[0].verdict, Verdict::kRegression);
}

TEST(Compare, ContextGuardRefusesByFieldUnlessAllowed) {
  const auto base = synthetic({forward_point("m", {1, 2, 3})});
  auto other = synthetic({forward_point("m", {1, 2, 3})}, "other.json");
  other.context["devices"][0]["driver_version"] = "12.8";
  try {
    compare_reports(base, other, {});
    ADD_FAILURE() << "compared across drivers";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("driver: '13.0'"), std::string::npos) << e.what();
  }
  CompareOptions allow;
  allow.allow_context_mismatch = true;
  const Comparison c = compare_reports(base, other, allow);
  ASSERT_EQ(c.context_mismatches.size(), 1u);
  EXPECT_NE(comparison_markdown(c, allow, false).find("**Context mismatch"), std::string::npos);
}

TEST(Compare, EmptyOrDisjointReportsAreBadInput) {
  const auto a = synthetic({forward_point("a", {1, 2})});
  EXPECT_THROW(compare_reports(a, synthetic({}), {}), std::invalid_argument);
  EXPECT_THROW(compare_reports(a, synthetic({forward_point("b", {1, 2})}), {}), std::invalid_argument);
}

TEST(Compare, StatusAndMemoryChanges) {
  auto ok = forward_point("a", {1, 1, 1});
  auto failed = ok;
  failed.status = bench::Status::kOom;
  failed.samples.clear();
  failed.values.clear();
  const Comparison c = compare_reports(synthetic({ok, forward_point("b", {1, 1, 1}, 1.00e9)}),
                                       synthetic({failed, forward_point("b", {1, 1, 1}, 1.08e9)}), {});
  EXPECT_EQ(c.regressions, 2);  // ok -> oom, and 8% more memory
  EXPECT_TRUE(c.points[0].status_regression);
  EXPECT_EQ(c.points[1].changes.back().metric, "cuda_peak_allocated_bytes");
  EXPECT_EQ(c.points[1].changes.back().verdict, Verdict::kRegression);
  EXPECT_NE(comparison_markdown(c, {}, false).find("**2 point(s) regressed**"), std::string::npos);
}

TEST(Compare, FlaggedEnvironmentIsCarriedIntoTheComparison) {
  auto hot = forward_point("a", {1, 1, 1});
  hot.environment.flags = {"throttled: hw_thermal"};
  const auto base = synthetic({forward_point("a", {1, 1, 1})}), current = synthetic({hot});
  const Comparison c = compare_reports(base, current, {});
  ASSERT_EQ(c.points[0].environment_flags.size(), 1u);
  EXPECT_EQ(c.points[0].environment_flags[0], "new: throttled: hw_thermal");
  ASSERT_EQ(context_warnings(current).size(), 1u);
  EXPECT_NE(context_warnings(current)[0].find("1 point(s) measured while throttled"), std::string::npos);
}
