// `shishu-report predict`: a cost model's predictions for the points `shishu-bench run`
// would measure (the same axes and presets, bench/sweep.h's expansion), written as a
// report marked predicted; or, with --against, predicted against measured reports,
// point by point, with the scorecard of cross-validate.
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "base/utf8.h"
#include "bench/axis_values.h"
#include "bench/phase_row.h"
#include "bench/preset.h"
#include "cli/command_line.h"
#include "cli/output_target.h"
#include "cli/planner_commands.h"
#include "planner/model_file.h"
#include "planner/score.h"
#include "planner/width_transfer.h"
#include "reports/planner_reports.h"

namespace shishu::cli {
namespace {

using nlohmann::json;

// The sweep the axes describe: a preset with the flags' overrides, or, without one, a
// grid of every phase on the model's own device, dtype and backend at batch 1, which
// --phase filters and the other flags fill.
bench::Sweep sweep_of(const PredictCommand& c, const planner::CostModel& model) {
  bench::Sweep sweep;
  if (!c.axes.preset.empty()) {
    sweep = bench::load_sweep(c.axes.preset);
  } else {
    if (!c.axes.models) throw std::invalid_argument("predict needs --models (or --preset) to know what to predict");
    if (!c.axes.phases) throw std::invalid_argument("predict needs --phase (or --preset) to know what to predict");
    sweep.name = "predict";
    bench::Grid g;
    for (const auto* row : bench::phase_rows()) g.phases.push_back(row->name);
    const bench::Point like = point_like(model, "decode");
    g.dtypes = {like.dtype};
    g.devices = {like.device};
    g.modes = {like.mode};
    g.shape[bench::Axis::kBatch] = {1};  // as run's default preset has it; --batch replaces it
    sweep.grids = {g};
  }
  bench::apply_overrides(sweep, overrides_from(c.axes));
  return sweep;
}

int against(const PredictCommand& c, const planner::CostModel& model) {
  const auto& a = c.axes;
  bool other_axes = !a.preset.empty() || a.phases || a.dtypes || a.devices || a.modes;
  for (const auto& [axis, text] : a.shape) other_axes = other_axes || text.has_value();
  if (other_axes) {
    throw std::invalid_argument("--against predicts the reports' own points: of the sweep's axes only --models applies");
  }
  reports::ObservationSet set = load_observations(c.against);
  planner::check_provenance(model, set.provenance, c.model);
  if (a.models) set = reports::select_models(set, bench::parse_string_list("--models", *a.models), {}, "--models");
  planner::Scorecard card;
  try {
    card = planner::score(model, set.observations, set.ceilings);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--against: ") + e.what() +
                                "; choose the model's width with --models, or transfer it with --scale");
  }
  const reports::SplitScores split = reports::split_by_extrapolation(card.points);
  std::cout << "predicted " << card.points.size() << " measured figures of " << reports::models_of(set).size()
            << " model(s) from " << c.model << (model.transferred_from.empty() ? "" : " (width-transferred)") << "\n"
            << reports::describe(split);
  if (!c.out.empty()) {
    json doc = reports::split_scores_json(split);
    doc["command"] = "predict --against";
    doc["model"] = c.model;
    doc["reports"] = set.provenance.context.value("reports", json::array());
    if (!model.transferred_from.empty()) doc["width_transfer"] = model.transferred_from + " to " + model.widths_name;
    write_or_print(c.out, base::json_text(doc, 2) + "\n");
  }
  return kExitOk;
}

}  // namespace

CLI::App* add_predict_command(CLI::App& app, PredictCommand& c) {
  auto* cmd = app.add_subcommand("predict",
                                 "A cost model's predictions for a sweep, as a report marked predicted; with --against, "
                                 "predicted against measured reports");
  cmd->add_option("model", c.model, "The cost model (calibrate --out)")->required();
  add_sweep_options(*cmd, c.axes);
  cmd->add_option("--against", c.against, "Measured report.json files or run folders (the rounds of one sweep)");
  cmd->add_option("--scale", c.scale,
                  "Predict at another width family (e.g. 350m): the explicit width transfer, every figure flagged "
                  "'extrapolated: width'");
  cmd->add_option("--out", c.out, "The predicted report, or with --against the scorecards as JSON (default: standard "
                                  "output for the report)")
      ->check(writable_file());
  return cmd;
}

int run_predict_command(const PredictCommand& c) {
  planner::CostModel model = planner::read_model(c.model);
  if (!c.scale.empty()) model = planner::transfer_width(model, c.scale);
  if (!c.against.empty()) return against(c, model);
  const bench::Sweep sweep = sweep_of(c, model);
  std::vector<bench::Point> points;
  int cannot_run = 0;
  for (const auto& p : bench::expand(sweep)) {
    if (bench::skip_reason(p).empty()) {
      points.push_back(p);
    } else {
      ++cannot_run;
    }
  }
  if (points.empty()) throw std::invalid_argument("no point of the sweep can run anywhere: nothing to predict");
  const auto predicted = reports::predict_points(model, points);
  const json extra = {{"preset", sweep.name}, {"preset_description", sweep.description}};
  write_or_print(c.out, base::json_text(reports::predicted_report(model, c.model, predicted, extra), 2) + "\n");
  std::map<std::string, int> axes;
  int extrapolated = 0;
  for (const auto& p : predicted) {
    extrapolated += !p.extrapolated.empty();
    for (const auto& axis : p.extrapolated) ++axes[axis];
  }
  std::cerr << "shishu-report: predicted " << predicted.size() << " point(s)";
  if (cannot_run) std::cerr << " (" << cannot_run << " left out: they cannot run on any machine)";
  std::cerr << "; " << extrapolated << " extrapolated";
  for (const auto& [axis, n] : axes) std::cerr << ", " << axis << " " << n;
  std::cerr << "\n";
  return kExitOk;
}

}  // namespace shishu::cli
