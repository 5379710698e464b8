// The planner's scores, predictions and plans: hand-worked statistics, a calibration of
// small layouts predicting held-out ones, the budget parser and the Pareto front.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <set>

#include "models/analytic.h"
#include "planner/plan.h"
#include "planner/print.h"
#include "planner/score.h"
#include "planner_synthetic.h"

namespace planner = shishu::planner;
using planner::Quantity;
using planner::testing::message_of;

namespace {

planner::CostModel calibrated(double sigma = 0.02, uint64_t seed = 11) {
  return planner::fit(planner::testing::preset_observations(planner::testing::calibration_preset(), sigma, seed),
                      planner::testing::test_provenance());
}

// The registered 125M models at cpu-default's workloads, observed with noise sigma.
std::vector<planner::Observation> held_out_points(double sigma) {
  std::mt19937_64 rng(99);
  std::vector<planner::Observation> held_out;
  for (const char* name : {"mobilellm-125m", "shishulm-125m", "shishulm-125m-s"}) {
    const auto config = shishu::models::resolve_model(name);
    for (const auto& w : std::vector<planner::Workload>{{Quantity::forward_ms, 1, 64, 0},
                                                        {Quantity::forward_ms, 1, 128, 0},
                                                        {Quantity::train_step_ms, 1, 64, 0},
                                                        {Quantity::ttft_ms, 1, 64, 0},
                                                        {Quantity::decode_ms, 1, 1, 70},
                                                        {Quantity::decode_ms, 4, 1, 70},
                                                        {Quantity::throughput_tok_s, 4, 1, 71},
                                                        {Quantity::peak_mb, 1, 64, 32}}) {
      held_out.push_back(planner::testing::observe(config, w, sigma, rng));
    }
  }
  return held_out;
}

}  // namespace

TEST(PlannerStatistics, PercentilesInterpolateBetweenOrderStatistics) {
  EXPECT_DOUBLE_EQ(planner::percentile({3, 1, 2}, 0.5), 2);
  EXPECT_DOUBLE_EQ(planner::percentile({4, 1, 3, 2}, 0.5), 2.5);
  // Ten values 1..10: rank 0.9 * 9 = 8.1, between the 9th (9) and 10th (10) values.
  EXPECT_DOUBLE_EQ(planner::percentile({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 0.9), 9.1);
  EXPECT_DOUBLE_EQ(planner::percentile({5, 1, 9}, 0), 1);
  EXPECT_DOUBLE_EQ(planner::percentile({5, 1, 9}, 1), 9);
  EXPECT_DOUBLE_EQ(planner::percentile({7}, 0.9), 7);
  EXPECT_TRUE(std::isnan(planner::percentile({}, 0.5)));
}

TEST(PlannerStatistics, KendallTauMatchesHandCountedPairs) {
  // x = 1 2 3 4, y = 1 3 2 4: of 6 pairs only (2,3) is discordant: (5 - 1) / 6.
  auto c = planner::count_pairs({1, 2, 3, 4}, {1, 3, 2, 4});
  EXPECT_EQ(c.concordant, 5);
  EXPECT_EQ(c.discordant, 1);
  EXPECT_DOUBLE_EQ(planner::kendall_tau_b(c), 4.0 / 6.0);
  // x = 1 2 2 3, y = 1 2 3 3: pairs (1,2) (1,3) (1,4) (2,4) concordant, (2,3) tied in x,
  // (3,4) tied in y: tau-b = 4 / sqrt((4 + 1) (4 + 1)) = 0.8.
  c = planner::count_pairs({1, 2, 2, 3}, {1, 2, 3, 3});
  EXPECT_EQ(c.ties_x, 1);
  EXPECT_EQ(c.ties_y, 1);
  EXPECT_DOUBLE_EQ(planner::kendall_tau_b(c), 0.8);
  EXPECT_DOUBLE_EQ(planner::kendall_tau_b(planner::count_pairs({1, 2, 3}, {3, 2, 1})), -1);
  EXPECT_TRUE(std::isnan(planner::kendall_tau_b(planner::count_pairs({1, 1, 1}, {1, 2, 3}))));
  // Pooled groups count pairs within each group only: three groups of one pair, two
  // concordant and one discordant, give (2 - 1) / 3.
  c = planner::count_pairs({1, 2}, {1, 2});
  c += planner::count_pairs({1, 2}, {5, 1});
  c += planner::count_pairs({1, 2}, {1, 2});
  EXPECT_DOUBLE_EQ(planner::kendall_tau_b(c), 1.0 / 3.0);
}

// A calibration of four small layouts (2 to 6 layers) predicts the registered 125M
// models, 20 to 34 layers deep, at cpu-default's workloads, from data with 2% noise.
TEST(PlannerEndToEnd, SmallLayoutsPredictHeldOutModels) {
  const auto model = calibrated();
  const auto held_out = held_out_points(0.02);
  planner::Ceilings ceilings{50e9, 10e9};
  const auto card = planner::score(model, held_out, ceilings);
  std::printf("%s", planner::describe(card).c_str());
  ASSERT_EQ(card.points.size(), held_out.size());
  for (const auto& p : card.points) {
    EXPECT_TRUE(std::isfinite(p.relative_error)) << p.model;
    EXPECT_NEAR(p.relative_error, std::abs(p.predicted - p.measured) / p.measured, 1e-12);
    if (p.workload.quantity != Quantity::peak_mb) {
      EXPECT_NE(std::find(p.extrapolated.begin(), p.extrapolated.end(), "attention_layers"), p.extrapolated.end())
          << p.model << ": 20 or 30 attention layers lie outside the calibrated 2..6";
    }
  }
  for (const auto& qs : card.quantities) {
    const auto name = planner::info(qs.quantity).name;
    EXPECT_TRUE(std::isfinite(qs.errors.median) && std::isfinite(qs.errors.max)) << name;
    EXPECT_LE(qs.errors.median, qs.errors.p90);
    EXPECT_LE(qs.errors.p90, qs.errors.max);
    // The synthetic law is linear in the terms, so the model's class holds it: what is
    // left is the held-out points' own noise (median |error| 0.67 sigma) plus the
    // coefficients' uncertainty carried out to 20-34 layers. Three sigma bounds it; a
    // median of 3 points beyond it needs two beyond 2.5 of their combined spreads.
    EXPECT_LE(qs.errors.median, 3 * 0.02) << name;
    // Latency in proportion to parameters misses the per-call and head costs that
    // dominate at 125M: it must do worse. (The FLOPs baseline is close for prefill-like
    // phases, where per-token matmuls dominate; no such claim is made for it.)
    for (const auto& b : qs.baselines) {
      if (b.name == "params") {
        EXPECT_LT(qs.errors.median, b.errors.median) << name;
      }
    }
  }
  // Measured without noise, the three layouts at each of the two decode workloads (6
  // pairs) are 4% apart, far beyond the prediction errors above: the ranking holds.
  const auto exact = planner::score(model, held_out_points(0), ceilings);
  const auto& decode = *std::find_if(exact.quantities.begin(), exact.quantities.end(),
                                     [](const auto& q) { return q.quantity == Quantity::decode_ms; });
  EXPECT_EQ(decode.ranked_pairs, 6);
  EXPECT_DOUBLE_EQ(decode.kendall_tau, 1.0);
}

TEST(PlannerPredict, RefusesLayoutsOutsideTheGrammarAndOtherWidths) {
  const auto model = calibrated();
  try {
    planner::resolve_layout(model, "20+7*1");
    ADD_FAILURE() << "accepted a tie of 1";
  } catch (const shishu::models::LayoutError& e) {
    EXPECT_NE(std::string(e.what()).find("layout '20+7*1'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(planner::resolve_layout(model, "20-13"), shishu::models::LayoutError);
  EXPECT_NE(message_of([&] { planner::resolve_layout(model, "mobilellm-350m"); }).find("has d_model 960"),
            std::string::npos);
  EXPECT_EQ(planner::resolve_layout(model, "shishulm-125m-s").layout.to_string(), "20+7*2");
  EXPECT_EQ(planner::resolve_layout(model, "125m:3+1").layout.to_string(), "3+1");
  // calibrate.json's decode grid: batch 1 and 4, depths 64 and 512 (decode_ms at the
  // steps' mean depth, 67 and 515).
  const auto inside = planner::predict(model, planner::resolve_layout(model, "4+2"), {Quantity::decode_ms, 2, 1, 100});
  EXPECT_TRUE(inside.extrapolated.empty());
  double sum = 0;
  for (const auto& c : inside.contributions) sum += c.value;
  EXPECT_DOUBLE_EQ(sum, inside.value);
  const auto outside =
      planner::predict(model, planner::resolve_layout(model, "4+2"), {Quantity::decode_ms, 8, 1, 4000});
  EXPECT_EQ(outside.extrapolated, (std::vector<std::string>{"batch", "depth"}));
}

TEST(PlannerBudget, ParsesBoundsAndRefusesBadOnesByName) {
  const auto b = planner::parse_budget("decode_ms<=20, peak_mb<=900,throughput_tok_s >= 50,decode_ms>=1");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].quantity, Quantity::decode_ms);
  EXPECT_EQ(b[0].lo, 1);
  EXPECT_EQ(b[0].hi, 20);
  EXPECT_EQ(b[2].lo, 50);
  EXPECT_TRUE(std::isinf(b[2].hi));
  EXPECT_TRUE(planner::within(b, Quantity::decode_ms, 20));
  EXPECT_FALSE(planner::within(b, Quantity::decode_ms, 20.5));
  EXPECT_FALSE(planner::within(b, Quantity::throughput_tok_s, 49));
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "the budget is empty"},
      {"   ", "the budget is empty"},
      {"decode_ms<=1,,peak_mb<=2", "budget item 2 is empty"},
      {"latency_ms<=3", "unknown quantity 'latency_ms' (known: forward_ms"},
      {"decode_ms<=1,decode_ms>=2", "contradictory budget: decode_ms>=2"},
      {"decode_ms<=1,decode_ms<=2", "decode_ms already has an upper bound"},
      {"decode_ms<=abc", "'abc' is not a number"},
      {"decode_ms<=nan", "'nan' is not a number"},
      {"decode_ms<=-1", "'-1' is not a number >= 0"},
      {"decode_ms=3", "has no <= or >="},
      {"decode_ms<=", "'' is not a number"},
  };
  for (const auto& [text, expected] : bad) {
    const std::string msg = message_of([&] { planner::parse_budget(text); });
    EXPECT_NE(msg.find(expected), std::string::npos) << "'" << text << "': " << msg;
  }
}

TEST(PlannerPlan, EnumeratesTheGrammarWithinBounds) {
  planner::LayoutSpace s;
  s.min_attention = 1;
  s.max_attention = 2;
  s.max_mlp_only = 2;
  s.max_total_layers = 3;
  std::vector<std::string> texts;
  for (const auto& l : planner::enumerate_layouts(s)) texts.push_back(l.to_string());
  EXPECT_EQ(texts, (std::vector<std::string>{"1", "1+1", "1+2", "1+1*2", "2", "2+1"}));
  s.ties = {0};
  EXPECT_THROW(planner::enumerate_layouts(s), std::invalid_argument);
}

// The front is checked against a naive reading of its definition: no layout within the
// budget dominates a front member, and each one left off is dominated by a member.
TEST(PlannerPlan, TheFrontIsParetoOptimalWithinTheBudget) {
  const auto model = calibrated();
  planner::LayoutSpace space;
  space.max_attention = 30;
  space.max_mlp_only = 20;
  space.max_total_layers = 36;
  const std::vector<planner::Workload> workloads = {{Quantity::decode_ms, 1, 1, 2048}, {Quantity::peak_mb, 1, 1, 2048}};
  const auto budget = planner::parse_budget("decode_ms<=30,peak_mb<=900");
  const auto analytic = [&](const shishu::models::ModelConfig& m, const planner::Workload& w) {
    return planner::analytic_inference_mb(m, w, 4);
  };
  const auto result = planner::plan(model, space, workloads, budget, analytic, 3);
  const std::string text = planner::describe(result);
  std::printf("%s\n", text.substr(0, text.find('\n')).c_str());

  struct Row {
    std::string layout;
    std::vector<double> better;  // params, attention, -KV, -decode, -peak
  };
  std::vector<Row> all;
  for (const auto& layout : planner::enumerate_layouts(space)) {
    const auto config = planner::resolve_layout(model, layout.to_string());
    planner::Workload mem = workloads[1];
    mem.analytic_mb = analytic(config, mem);
    const double decode = planner::predict(model, config, workloads[0]).value;
    const double peak = planner::predict(model, config, mem).value;
    if (decode > 30 || peak > 900) continue;
    all.push_back({layout.to_string(),
                   {double(shishu::models::count_params(config).total), double(layout.full_layers),
                    -double(shishu::models::kv_bytes_per_token(config, 4)), -decode, -peak}});
  }
  auto dominates = [](const Row& a, const Row& b) {
    bool strict = false;
    for (size_t i = 0; i < a.better.size(); ++i) {
      if (a.better[i] < b.better[i]) return false;
      strict = strict || a.better[i] > b.better[i];
    }
    return strict;
  };
  ASSERT_EQ(result.within_budget, static_cast<int>(all.size()));
  ASSERT_FALSE(result.front.empty());
  ASSERT_LT(result.front.size(), all.size()) << "a budget this tight should leave dominated layouts";
  std::set<std::string> front;
  for (const auto& c : result.front) front.insert(c.model.layout.to_string());
  for (const auto& r : all) {
    const bool dominated = std::any_of(all.begin(), all.end(), [&](const Row& o) { return dominates(o, r); });
    EXPECT_EQ(front.count(r.layout) == 1, !dominated) << r.layout;
  }
  ASSERT_EQ(result.measure_next.size(), 3u);
  double farthest = 0;
  for (const auto& c : result.front) farthest = std::max(farthest, c.distance_to_calibration);
  EXPECT_EQ(result.measure_next[0].distance_to_calibration, farthest);

  EXPECT_NE(message_of([&] {
              planner::plan(model, space, {workloads[0]}, budget, analytic);
            }).find("the budget bounds peak_mb but no workload for it was given"),
            std::string::npos);
  EXPECT_NE(message_of([&] { planner::plan(model, space, workloads, {}, {}); }).find("needs an analytic memory"),
            std::string::npos);
}
