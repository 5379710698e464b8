// The layout planner's commands in shishu-report (planner/, issue 26):
//   calibrate REPORT... --out MODEL.json   fit the cost model, save it, print its terms
//   cross-validate REPORT...               leave one layout out: the scorecard
//   predict MODEL.json [axes]              predictions as a report (marked predicted)
//   predict MODEL.json --against REPORT... predicted against measured: the scorecard
//   plan MODEL.json --budget ... --depth D the Pareto front of layouts, what to measure next
// REPORT... are the rounds of one sweep (or one report): reports/planner_observations.h
// pools them. Every refusal is std::invalid_argument, exit 2, before any work.
#pragma once
#include <string>
#include <vector>

#include "bench/point.h"
#include "cli/run_command.h"
#include "planner/cost_model.h"
#include "reports/planner_observations.h"

namespace CLI {
class App;
}

namespace shishu::cli {

struct CalibrateCommand {
  std::vector<std::string> reports, layouts, exclude;
  std::string out;
};

struct CrossValidateCommand {
  std::vector<std::string> reports, layouts, exclude;
  std::string out;  // the scorecards as JSON
  bool hold_out_corner = false;
};

struct PredictCommand {
  std::string model;
  RunOptions axes;  // the sweep's axes, as `shishu-bench run` takes them
  std::vector<std::string> against;
  std::string out;    // the predicted report, or with --against the scorecards as JSON
  std::string scale;  // --scale: the explicit width transfer (planner/width_transfer.h)
};

struct PlanCommand {
  std::string model, budget, scale, out;
  int64_t depth = 0, batch = 1;
  int max_attention = 30, max_mlp_only = 30, max_layers = 60, measure_next = 3;
  bool json = false;
};

// Shared by the commands' two files. The observations of report files or run folders
// (each folder's report.json), with the bridge's notes on standard error.
reports::ObservationSet load_observations(const std::vector<std::string>& inputs);
// A point of `phase` on the model's own device, dtype and decode backend (its axes and
// model left for the caller), for the analytic figures of layouts the model predicts.
bench::Point point_like(const planner::CostModel& model, const std::string& phase);

CLI::App* add_calibrate_command(CLI::App& app, CalibrateCommand& c);
int run_calibrate_command(const CalibrateCommand& c);
CLI::App* add_cross_validate_command(CLI::App& app, CrossValidateCommand& c);
int run_cross_validate_command(const CrossValidateCommand& c);
CLI::App* add_predict_command(CLI::App& app, PredictCommand& c);  // cli/planner_predict.cpp
int run_predict_command(const PredictCommand& c);
CLI::App* add_plan_command(CLI::App& app, PlanCommand& c);
int run_plan_command(const PlanCommand& c);

}  // namespace shishu::cli
