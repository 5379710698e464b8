// The planner's commands on bad input: exit 2, naming the problem, and the wall between
// predicted and measured reports. On the tiny sweeps of tests/planner_e2e_runs.h.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "planner_e2e_runs.h"

namespace {

using nlohmann::json;
using shishu::testing::kReport;
using shishu::testing::read_json;
using shishu::testing::run_exe;

shishu::testing::PlannerRuns& runs() { return shishu::testing::planner_runs(); }

void write_json(const std::string& path, const json& doc) { std::ofstream(path) << doc.dump(2); }

// Runs shishu-report ARGS, expecting exit 2 and NEEDLE in its standard error.
void expect_refusal(const std::string& args, const std::string& needle) {
  std::string err;
  EXPECT_EQ(run_exe(kReport, args, &err), 2) << args << "\n" << err;
  EXPECT_NE(err.find(needle), std::string::npos) << args << "\nexpected '" << needle << "' in:\n" << err;
}

}  // namespace

TEST(PlannerCli, BadInputExitsTwoNamingTheProblem) {
  REQUIRE_PLANNER_RUNS();
  const std::string& tiny = runs().tiny;
  const std::string& model = runs().model;
  const std::string out = runs().dir + "/bad";
  // Without the only tied layout no calibration layout reuses a set: the term, and a
  // layout that would separate it.
  expect_refusal("calibrate " + tiny + " --exclude 125m:1+1*2,125m:2+1 --out " + out + ".json",
                 "forward_ms: the tied second-use term, per call is not identifiable: every calibration layout has 0 "
                 "tied reuses");
  expect_refusal("calibrate " + tiny + " --exclude 125m:1+1*2,125m:2+1 --out " + out + ".json", "add e.g. ");
  expect_refusal("calibrate " + tiny + " --layouts 125m:9 --out " + out + ".json",
                 "--layouts: '125m:9' is not among the reports' models");
  expect_refusal("calibrate " + tiny + " --layouts 125m:1 --exclude 125m:2 --out " + out + ".json",
                 "give --layouts or --exclude, not both");

  // A layout outside the grammar is the layout parser's refusal, naming the text.
  expect_refusal("predict " + model + " --models 125m:2+x --phase forward --seq 8", "'2+x'");

  // A model file from another device or build names the field that differs.
  json doc = read_json(model);
  for (const auto& [field, value] : std::vector<std::pair<std::string, json>>{
           {"device", "cuda: NVIDIA H200"}, {"build_commit", "0123abc"}, {"dtype", "bf16"}}) {
    json edited = doc;
    edited["provenance"][field] = value;
    write_json(out + "-" + field + ".json", edited);
    expect_refusal("predict " + out + "-" + field + ".json --against " + tiny,
                   "the cost model was calibrated with " + field + " '" + value.get<std::string>() + "'");
  }
  json unknown = doc;
  unknown["provenance"]["extra"] = 1;
  write_json(out + "-extra.json", unknown);
  expect_refusal("predict " + out + "-extra.json --models 125m:2 --phase forward --batch 1 --seq 8",
                 "provenance: unknown field 'extra'");
  expect_refusal("predict " + runs().dir + "/no-such-model.json --models 125m:2 --phase forward --batch 1 --seq 8",
                 "no-such-model.json: cannot be read");
  expect_refusal("predict " + tiny + "/report.json --models 125m:2 --phase forward --batch 1 --seq 8",
                 "report.json: top level: unknown field");

  // Layouts outside the grammar, another width, a phase without its axes.
  expect_refusal("predict " + model + " --models 125m:2+7*1 --phase forward --batch 1 --seq 8", "layout '2+7*1'");
  expect_refusal("predict " + model + " --models 125m:2-1 --phase forward --batch 1 --seq 8", "2-1");
  expect_refusal("predict " + model + " --models 350m:2 --phase forward --batch 1 --seq 8", "has d_model 960");
  expect_refusal("predict " + model + " --models 125m:2 --phase forward --batch 1", "forward needs a seq axis");
  expect_refusal("predict " + model + " --models 125m:2 --phase train_step --batch 1 --seq 8",
                 "no calibration of train_step_ms");
  expect_refusal("predict " + model + " --models 125m:2 --phase forward --batch 1 --seq 8 --dtype bf16",
                 "dtype bf16, but the cost model was calibrated in fp32");
  expect_refusal("predict " + model + " --models 125m:2 --phase forward --batch 1 --seq 8 --scale 7b",
                 "--scale '7b' is not a width family");
  expect_refusal("predict " + model + " --against " + tiny + " --phase forward", "only --models applies");

  // Budgets: empty, contradictory, unknown, and a quantity the model was not calibrated for.
  expect_refusal("plan " + model + " --budget '' --depth 64", "the budget is empty");
  expect_refusal("plan " + model + " --budget 'decode_ms<=1,decode_ms>=2' --depth 64", "contradictory budget");
  expect_refusal("plan " + model + " --budget 'latency<=3' --depth 64", "unknown quantity 'latency'");
  expect_refusal("plan " + model + " --budget 'ttft_ms<=3' --depth 64", "no calibration of ttft_ms");
  expect_refusal("plan " + model + " --budget 'decode_ms<=3' --depth 0", "--depth");
}

TEST(PlannerCli, PredictedReportsAreNeverMixedWithMeasuredOnes) {
  REQUIRE_PLANNER_RUNS();
  const std::string measured = runs().tiny + "/report.json";
  const std::string predicted = runs().dir + "/mix-predicted.json";
  std::string err, out;
  ASSERT_EQ(run_exe(kReport, "predict " + runs().model + " --preset " SHISHU_TEST_DATA "/planner-tiny.json --out " +
                                 predicted,
                    &err),
            0)
      << err;
  EXPECT_NE(err.find("predicted 35 point(s)"), std::string::npos) << err;
  expect_refusal("merge " + measured + " " + predicted, "merge: " + predicted + " is predicted");
  expect_refusal("merge " + predicted, "merge: " + predicted + " is a predicted report");
  expect_refusal("compare " + measured + " " + predicted, predicted + " is predicted");
  expect_refusal("calibrate " + predicted + " --out " + runs().dir + "/m2.json", predicted + " is a predicted report");
  expect_refusal("predict " + runs().model + " --against " + predicted, predicted + " is a predicted report");
  expect_refusal("export " + predicted + " --format bencher", "export: " + predicted + " is a predicted report");
  // Alone, a predicted report tabulates, and says what it is.
  ASSERT_EQ(run_exe(kReport, "table " + predicted, &err, &out), 0) << err;
  EXPECT_NE(out.find("PREDICTED, not measured"), std::string::npos) << out.substr(0, 400);
  // One point marked predicted inside a measured report is refused by every reader.
  json mixed = read_json(measured);
  mixed["points"][0]["predicted"] = true;
  write_json(runs().dir + "/mixed.json", mixed);
  expect_refusal("table " + runs().dir + "/mixed.json", "points[0] is predicted in a measured report");
}

TEST(PlannerCli, PlansAParetoFrontWithinTheBudget) {
  REQUIRE_PLANNER_RUNS();
  const std::string plan = runs().dir + "/plan.json";
  std::string err;
  ASSERT_EQ(run_exe(kReport, "plan " + runs().model +
                                 " --budget 'decode_ms<=1000,peak_mb<=2000' --depth 64 --max-attention 4 "
                                 "--max-mlp-only 4 --max-layers 6 --json --out " + plan,
                    &err),
            0)
      << err;
  const json doc = read_json(plan);
  ASSERT_FALSE(doc["front"].empty()) << doc;
  EXPECT_LE(doc["front"].size(), doc["within_budget"].get<size_t>());
  // Measured: the calibration's own layouts (planner-tiny.json less the held-out 2+1).
  const std::set<std::string> calibrated = {"1", "2", "1+1", "1+1*2"};
  for (const auto& c : doc["front"]) {
    EXPECT_LE(c["predictions"]["decode_ms"].get<double>(), 1000) << c;
    EXPECT_LE(c["predictions"]["peak_mb"].get<double>(), 2000) << c;
    EXPECT_LE(c["attention_layers"].get<int>(), 4) << c;
    EXPECT_EQ(c["measured"].get<bool>(), calibrated.count(c["layout"].get<std::string>()) == 1) << c;
  }
  EXPECT_FALSE(doc["measure_next"].empty());
  ASSERT_EQ(run_exe(kReport, "plan " + runs().model +
                                 " --budget 'decode_ms<=100000' --depth 64 --max-attention 2 --max-mlp-only 2 "
                                 "--max-layers 3 --scale 350m --json --out " + plan,
                    &err),
            0)
      << err;
  const json wide = read_json(plan);
  EXPECT_EQ(wide["widths"], "350m");
  ASSERT_FALSE(wide["front"].empty());
  for (const auto& c : wide["front"]) {
    EXPECT_FALSE(c["measured"].get<bool>()) << c;
    const auto& axes = c["extrapolated"];
    EXPECT_NE(std::find(axes.begin(), axes.end(), "width"), axes.end()) << c;
  }
}

// --shard-cost: each shard's predicted seconds are the sums of its points' predicted
// repetitions (as `predict` writes them) times their runs, 1 warm-up and 2 repetitions;
// a point the model cannot price (another width) gets the nominal cost, scaled.
TEST(PlannerCli, ShardsBalancedByThePlannersPredictedTimes) {
  REQUIRE_PLANNER_RUNS();
  const std::string preset = SHISHU_TEST_DATA "/planner-tiny.json";
  const std::string predicted = runs().dir + "/shard-predicted.json";
  std::string err, out;
  ASSERT_EQ(run_exe(kReport, "predict " + runs().model + " --preset " + preset + " --out " + predicted, &err), 0) << err;
  std::map<std::string, double> seconds;  // point id -> predicted seconds of its 3 runs
  const json doc = read_json(predicted);
  for (const auto& p : doc["points"]) {
    seconds[p["id"].get<std::string>()] = 3 * p["metrics"]["latency_ms"]["samples"][0].get<double>() / 1e3;
  }
  ASSERT_EQ(seconds.size(), 35u);
  double total = 0;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(run_exe(shishu::testing::kBench, "run --preset " + preset + " --list --shard " + std::to_string(i) +
                                                   "/2 --shard-cost " + runs().model,
                      &err, &out),
              0)
        << err;
    EXPECT_NE(err.find("planner model " + runs().model + ": 35 of 35 points"), std::string::npos) << err;
    double sum = 0;
    std::istringstream ids(out);
    for (std::string line; std::getline(ids, line);) {
      const std::string id = line.substr(0, line.find('\t'));
      ASSERT_TRUE(seconds.count(id)) << id;
      sum += seconds[id];
    }
    const std::string mark = "* shard " + std::to_string(i) + "/2: ";
    const auto at = err.find(mark);
    ASSERT_NE(at, std::string::npos) << err;
    const auto predicted_at = err.find("predicted ", at) + 10;
    EXPECT_NEAR(std::stod(err.substr(predicted_at)), sum, 1e-4 * sum) << err;
    total += sum;
  }
  EXPECT_GT(total, 0);
  ASSERT_EQ(run_exe(shishu::testing::kBench, "run --preset " + preset + " --models 125m:1,350m:1 --list --shard 0/2 " +
                                                 "--shard-cost " + runs().model,
                    &err),
            0)
      << err;
  EXPECT_NE(err.find("7 of 14 points (7 at the nominal cost x "), std::string::npos) << err;
  EXPECT_NE(err.find("350m:1"), std::string::npos) << err;
  EXPECT_NE(err.find("has d_model 960"), std::string::npos) << err;
  EXPECT_EQ(run_exe(shishu::testing::kBench, "run --preset " + preset + " --list --shard-cost " + runs().model, &err), 2);
  EXPECT_NE(err.find("--shard-cost " + runs().model + " prices the shards of --shard i/N"), std::string::npos) << err;
  EXPECT_EQ(run_exe(shishu::testing::kBench,
                    "run --preset " + preset + " --list --shard 0/2 --shard-cost " + runs().dir + "/nothing.json", &err),
            2);
  EXPECT_NE(err.find("nothing.json: cannot be read"), std::string::npos) << err;
}
