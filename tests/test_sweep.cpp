// Sweep description: range parsing, presets, expansion order, sharding; statistics and
// the throughput formula against hand arithmetic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "bench/axis_values.h"
#include "bench/shard_plan.h"
#include "bench/stats.h"
#include "bench/preset.h"
#include "bench/sweep.h"

using namespace shishu::bench;

TEST(AxisValues, ListsAndRanges) {
  EXPECT_EQ(parse_int_list("--seq", "64-4096*2"), (std::vector<int64_t>{64, 128, 256, 512, 1024, 2048, 4096}));
  EXPECT_EQ(parse_int_list("--batch", "1,2,4"), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(parse_int_list("--gen", "1-8+3"), (std::vector<int64_t>{1, 4, 7}));
  EXPECT_EQ(parse_int_list("--gen", "2-5"), (std::vector<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(parse_int_list("--seq", "64-100*2, 7"), (std::vector<int64_t>{64, 7}));  // the range stops at or below its end
  EXPECT_EQ(parse_string_list("--models", "a, b"), (std::vector<std::string>{"a", "b"}));
}

// Found by fuzzing (tests/fuzz): a geometric range whose end is near the int64 limit
// overflowed while stepping past it. Now it stops at the last value within the range.
TEST(AxisValues, RangesNearTheInt64LimitDoNotOverflow) {
  const auto v = parse_int_list("--seq", "4-1111111111111114096*2228");
  ASSERT_EQ(v.size(), 6u);
  EXPECT_EQ(v.back(), 4 * int64_t{2228} * 2228 * 2228 * 2228 * 2228);
}

TEST(AxisValues, BadItemsNameTheAxisAndItem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"0", "'0' must be positive"},         {"-4", "'-4' is missing a number"},
      {"4-2", "'4-2' ends before it starts"}, {"1-8*1", "needs a factor of at least 2"},
      {"abc", "'abc' is not a positive"},    {"1,,2", "empty item"},
      {"1-100000+1", "more than 4096"},      {"99999999999999999999", "too large"},
  };
  for (const auto& [text, reason] : cases) {
    try {
      parse_int_list("--seq", text);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind("--seq", 0), 0u) << what;
      EXPECT_NE(what.find(reason), std::string::npos) << text << " -> " << what;
    }
  }
}

TEST(Stats, MatchesHandArithmetic) {
  const Summary s = summarize({4, 1, 3, 2});
  EXPECT_EQ(s.n, 4);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 4);
  EXPECT_DOUBLE_EQ(s.p90, 3.7);                             // 1 + 0.9*3 = rank 2.7 -> 3 + 0.7*(4-3)
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(5.0 / 3.0));         // sum of squares 5, n-1 = 3
  EXPECT_DOUBLE_EQ(s.cv, std::sqrt(5.0 / 3.0) / 2.5);
  EXPECT_DOUBLE_EQ(summarize({7}).stddev, 0.0);
  EXPECT_DOUBLE_EQ(summarize({1, 2, 3}).median, 2.0);
  EXPECT_THROW(summarize({}), std::invalid_argument);
}

TEST(Stats, ThroughputIsThePapersFormulaWithBatch) {
  // 127 tokens after the first, in 1.27 s of decoding: 100 tok/s per sequence.
  EXPECT_DOUBLE_EQ(decode_throughput(1, 128, 1500.0, 230.0), 100.0);
  EXPECT_DOUBLE_EQ(decode_throughput(8, 128, 1500.0, 230.0), 800.0);
  EXPECT_THROW(decode_throughput(1, 1, 10.0, 5.0), std::invalid_argument);
  EXPECT_THROW(decode_throughput(1, 8, 5.0, 5.0), std::invalid_argument);
}

TEST(Sweep, PaperPresetIsThePapersGrid) {
  const Sweep paper = load_sweep("paper");
  const auto points = expand(paper);
  std::map<std::string, int> by_phase;
  for (const auto& p : points) by_phase[p.phase]++;
  EXPECT_EQ(by_phase["forward"], 15 * 7);           // 15 models x seq 64..4096
  EXPECT_EQ(by_phase["forward_backward"], 15 * 7);
  // gen 64..2048 at batch 1 (6) plus batch 1..256 at gen 128 (9), sharing b1/g128 once.
  EXPECT_EQ(by_phase["generate"], 15 * (6 + 9 - 1));
  for (const auto& p : points) {
    EXPECT_EQ(p.dtype.name, "bf16");
    EXPECT_EQ(p.device.str(), "cuda");
    if (p.phase == "generate") {
      EXPECT_EQ(p.axis(Axis::kPrefill), 2048);
    }
  }
  EXPECT_EQ(paper.settings.repetitions, 3);
}

// The first minute on a new GPU: every GPU path once (issue: the GPU kit).
TEST(Sweep, GpuSmokePresetTouchesEveryGpuPath) {
  const Sweep smoke = load_sweep("gpu-smoke");
  EXPECT_TRUE(smoke.profile);
  std::set<std::string> seen;
  bool batched = false;
  for (const auto& p : expand(smoke)) {
    EXPECT_EQ(p.device.str(), "cuda") << p.id();
    seen.insert(p.phase + "/" + p.mode.name() + "/" + p.dtype.name);
    batched |= p.batch() > 1;
  }
  EXPECT_EQ(seen, (std::set<std::string>{"forward/eager/bf16", "forward_backward/eager/bf16", "generate/eager/bf16",
                                          "generate/cuda_graphs/bf16", "train_step/eager/bf16",
                                          "train_step/eager/amp_bf16"}));
  EXPECT_TRUE(batched);
  EXPECT_FALSE(load_sweep("ci-gpu").profile);
}

TEST(Sweep, PointsAreGroupedSoEachModelIsBuiltOnce) {
  const auto points = expand(load_sweep("cpu-default"));
  std::vector<std::string> order;
  for (const auto& p : points) {
    const std::string key = p.model + "|" + p.dtype.name + "|" + p.device.str();
    if (order.empty() || order.back() != key) order.push_back(key);
  }
  EXPECT_EQ(order.size(), std::set<std::string>(order.begin(), order.end()).size()) << "a model came back after another";
  std::set<std::string> ids;
  for (const auto& p : points) EXPECT_TRUE(ids.insert(p.id()).second) << "duplicate " << p.id();
}

TEST(Sweep, OverridesReplaceAxesAndFilterPhases) {
  Sweep s = load_sweep("cpu-default");
  Overrides o;
  o.phases = std::vector<std::string>{"generate"};
  o.models = std::vector<std::string>{"shishulm-125m"};
  o.shape[Axis::kGen] = {4, 8};
  o.repetitions = 7;
  apply_overrides(s, o);
  const auto points = expand(s);
  ASSERT_FALSE(points.empty());
  for (const auto& p : points) {
    EXPECT_EQ(p.phase, "generate");
    EXPECT_EQ(p.model, "shishulm-125m");
    EXPECT_TRUE(p.axis(Axis::kGen) == 4 || p.axis(Axis::kGen) == 8);
  }
  EXPECT_EQ(s.settings.repetitions, 7);
}

TEST(Sweep, RejectsBadPresets) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "test.json: cut short at line 1, column 2"},
      {R"({"seed": 1E400, "grids": [{}]})", "test.json: seed: the number 1E400 is out of range"},  // found by fuzzing
      {R"({"name": 7, "grids": [{}]})", "name must be a string, not 7"},  // found by fuzzing in CI
      {"[]", "must be a JSON object"},
      {R"({"grids": []})", "non-empty 'grids'"},
      {R"({"gridz": [{}]})", "unknown key 'gridz'"},
      {R"({"grids": [{"sequence": 5}]})", "unknown axis 'sequence'"},
      {R"({"grids": [{"seq": "0"}]})", "must be positive"},
      {R"({"grids": [{"seq": [64, -1]}]})", "positive integers"},
      {R"({"repetitions": 0, "grids": [{}]})", "repetitions must be an integer >= 1"},
      {R"({"profile": "yes", "grids": [{}]})", "profile must be true or false"},
  };
  for (const auto& [text, reason] : cases) {
    try {
      parse_sweep(text, "test.json");
      ADD_FAILURE() << "accepted " << text;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << text << " -> " << e.what();
    }
  }
  EXPECT_THROW(load_sweep("no-such-preset"), std::invalid_argument);
}

TEST(Sweep, RejectsImpossiblePoints) {
  auto expand_text = [](const std::string& grid) {
    return expand(parse_sweep(R"({"defaults": {"models": ["m"], "dtype": "fp32", "device": "cpu", "mode": "eager",
                                "batch": 1}, "grids": [)" + grid + "]}",
                              "t"));
  };
  EXPECT_THROW(expand_text(R"({"phase": "generate", "prefill": 8, "gen": 1})"), std::invalid_argument);
  EXPECT_THROW(expand_text(R"({"phase": "generate", "prefill": 8})"), std::invalid_argument);
  EXPECT_THROW(expand_text(R"({"phase": "forward"})"), std::invalid_argument);
  EXPECT_THROW(expand_text(R"({"phase": "forward_backward", "seq": 1})"), std::invalid_argument);
  EXPECT_THROW(expand_text(R"({"phase": "sideways", "seq": 8})"), std::invalid_argument);
  EXPECT_EQ(expand_text(R"({"phase": "forward", "seq": "8,16"})").size(), 2u);
}

// Shards by time (bench/shard_plan.h), on costs as skewed as the paper's (a point's cost
// here grows with its tokens, so 4096 costs 64 times 64): every point in exactly one
// shard, in the sweep's order; the longest shard within the largest single cost of the
// mean (the bound of placing the dearest first on the least loaded); each model whole
// wherever its points fit in a shard; the same plan twice; and round-robin by count.
TEST(Sweep, ShardsByTimePartitionThePointsAndBalanceTheirCost) {
  const auto points = expand(load_sweep("paper"));
  std::vector<double> costs;
  for (const auto& p : points) {
    const double tokens = p.has(Axis::kSeq) ? double(p.axis(Axis::kSeq)) : double(p.axis(Axis::kPrefill) + p.axis(Axis::kGen));
    costs.push_back(tokens * double(p.batch()) * (p.model.find("1.5b") != std::string::npos ? 12 : 1));
  }
  const double biggest = *std::max_element(costs.begin(), costs.end());
  for (int n : {1, 2, 3, 7, 16}) {
    const ShardPlan plan = plan_shards(points, costs, n, ShardRule::kTime);
    std::multiset<std::string> seen;
    for (int i = 0; i < n; ++i) {
      const auto mine = shard_points(points, plan, i);
      for (const auto& p : mine) seen.insert(p.id());
    }
    EXPECT_EQ(seen.size(), points.size()) << n;
    for (const auto& p : points) EXPECT_EQ(seen.count(p.id()), 1u) << p.id();
    const double mean = std::accumulate(costs.begin(), costs.end(), 0.0) / n;
    EXPECT_LE(*std::max_element(plan.load.begin(), plan.load.end()), mean + biggest + 1e-9) << n;
    EXPECT_EQ(plan.shard_of, plan_shards(points, costs, n, ShardRule::kTime).shard_of) << "not deterministic";
    const ShardPlan counted = plan_shards(points, costs, n, ShardRule::kCount);
    EXPECT_LE(plan.imbalance(), counted.imbalance() + 1e-9) << n;
    for (size_t i = 0; i < points.size(); ++i) EXPECT_EQ(counted.shard_of[i], int(i % size_t(n)));
  }
  // Two shards of a sweep whose two models cost alike: each model stays whole.
  const auto two = expand(parse_sweep(R"({"defaults": {"models": ["a", "b"], "dtype": "fp32", "device": "cpu",
      "mode": "eager", "batch": 1}, "grids": [{"phase": "forward", "seq": "8,16,32"}]})", "t"));
  const ShardPlan plan = plan_shards(two, std::vector<double>(two.size(), 1.0), 2, ShardRule::kTime);
  for (const auto& p : shard_points(two, plan, 0)) EXPECT_EQ(p.model, shard_points(two, plan, 0).front().model);
  EXPECT_THROW(shard_points(points, plan, 2), std::invalid_argument);
  EXPECT_THROW(plan_shards(points, costs, 0, ShardRule::kTime), std::invalid_argument);
}
