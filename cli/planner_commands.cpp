#include "cli/planner_commands.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "base/utf8.h"
#include "bench/phase_predictions.h"
#include "bench/phase_row.h"
#include "cli/command_line.h"
#include "cli/output_target.h"
#include "planner/model_file.h"
#include "planner/plan.h"
#include "planner/print.h"
#include "planner/width_transfer.h"
#include "reports/planner_reports.h"

namespace shishu::cli {
namespace {

using nlohmann::json;
using planner::Quantity;

void add_layout_filters(CLI::App* cmd, std::vector<std::string>& layouts, std::vector<std::string>& exclude) {
  cmd->add_option("--layouts", layouts, "Only these models' points (registry names or <base>:<layout>, comma-separated)")
      ->delimiter(',');
  cmd->add_option("--exclude", exclude, "All models' points but these")->delimiter(',');
}

reports::ObservationSet filtered(const std::vector<std::string>& inputs, const std::vector<std::string>& layouts,
                                 const std::vector<std::string>& exclude) {
  if (!layouts.empty() && !exclude.empty()) throw std::invalid_argument("give --layouts or --exclude, not both");
  reports::ObservationSet set = load_observations(inputs);
  if (!layouts.empty() || !exclude.empty()) {
    set = reports::select_models(set, layouts, exclude, layouts.empty() ? "--exclude" : "--layouts");
  }
  return set;
}

}  // namespace

reports::ObservationSet load_observations(const std::vector<std::string>& inputs) {
  std::vector<reports::LoadedReport> rounds;
  for (const auto& in : inputs) {
    // A run folder stands for its report.json, as `run --out` leaves it.
    const bool folder = std::filesystem::is_directory(in);
    rounds.push_back(reports::load_report(folder ? in + "/report.json" : in));
  }
  reports::ObservationSet set = reports::observations_from(rounds);
  for (const auto& note : set.notes) std::cerr << "shishu-report: note: " << base::valid_utf8(note) << "\n";
  return set;
}

bench::Point point_like(const planner::CostModel& model, const std::string& phase) {
  const auto& prov = model.provenance;
  bench::Point p;
  p.phase = phase;
  p.dtype = models::parse_dtype_name(prov.dtype);
  p.device = base::DeviceName::parse(prov.device.substr(0, prov.device.find(':')));
  const json backend = prov.context.value("decode_backend", json("none"));
  if (bench::phase_row(phase).takes_backend) {
    p.mode = models::parse_backend(backend.is_string() && backend != "none" ? backend.get<std::string>() : "eager");
  }
  return p;
}

CLI::App* add_calibrate_command(CLI::App& app, CalibrateCommand& c) {
  auto* cmd = app.add_subcommand("calibrate", "Fit the layout planner's cost model on measured reports and save it");
  cmd->add_option("reports", c.reports, "report.json files or run folders: one sweep, or its rounds")->required();
  cmd->add_option("--out", c.out, "The cost model file (JSON)")->required()->check(writable_file());
  add_layout_filters(cmd, c.layouts, c.exclude);
  return cmd;
}

int run_calibrate_command(const CalibrateCommand& c) {
  const reports::ObservationSet set = filtered(c.reports, c.layouts, c.exclude);
  const planner::CostModel model = planner::fit(set.observations, set.provenance);
  planner::save_model(model, c.out);
  std::cout << planner::describe(model) << "saved to " << c.out << " (" << set.observations.size()
            << " observations from " << set.rounds << " report(s))\n";
  return kExitOk;
}

CLI::App* add_cross_validate_command(CLI::App& app, CrossValidateCommand& c) {
  auto* cmd = app.add_subcommand("cross-validate",
                                 "Leave one layout out: calibrate on the others, score the one left out");
  cmd->add_option("reports", c.reports, "report.json files or run folders: one sweep, or its rounds")->required();
  cmd->add_option("--out", c.out, "Also write the scorecards as JSON here (scripts/plot_planner.py scores)")
      ->check(writable_file());
  add_layout_filters(cmd, c.layouts, c.exclude);
  cmd->add_flag("--hold-out-corner", c.hold_out_corner,
                "Keep each phase's largest batch x length points out of every calibration and score them apart");
  return cmd;
}

int run_cross_validate_command(const CrossValidateCommand& c) {
  reports::ObservationSet set = filtered(c.reports, c.layouts, c.exclude);
  const auto layouts = reports::models_of(set);
  for (const auto& m : layouts) {
    for (const auto& f : planner::width_fields()) {
      if (m.widths.*(f.field) == layouts.front().widths.*(f.field)) continue;
      throw std::invalid_argument("cross-validation is at one width: " + layouts.front().name + " and " + m.name +
                                  " differ in " + std::string(f.name) + "; choose one width's models with --layouts");
    }
  }
  if (layouts.size() < 2) throw std::invalid_argument("leaving one layout out needs two layouts or more, got 1");
  const reports::ObservationSet corner = c.hold_out_corner ? reports::take_corner(set) : reports::ObservationSet{};
  std::vector<planner::PointScore> scored;
  json folds = json::array();
  for (const auto& left_out : layouts) {
    std::vector<planner::Observation> calib, held, held_corner;
    for (const auto& o : set.observations) (reports::same_layout(o.model, left_out) ? held : calib).push_back(o);
    for (const auto& o : corner.observations) {
      if (reports::same_layout(o.model, left_out)) held_corner.push_back(o);
    }
    planner::CostModel model;
    try {
      model = planner::fit(calib, set.provenance);
    } catch (const std::invalid_argument& e) {
      std::cout << "left out " << left_out.name << ": skipped, the rest cannot be fitted: " << e.what() << "\n";
      folds.push_back({{"left_out", left_out.name}, {"skipped", e.what()}});
      continue;
    }
    const planner::Scorecard card = planner::score(model, held, set.ceilings);
    // The corner lies outside every calibration jointly even where each of its axes
    // alone is inside some calibrated range: it is flagged so, and scored apart.
    planner::Scorecard corner_card = planner::score(model, held_corner, set.ceilings);
    for (auto& p : corner_card.points) p.extrapolated.push_back("corner");
    std::cout << "left out " << left_out.name << ": " << card.points.size() + corner_card.points.size()
              << " points scored (" << corner_card.points.size() << " at the corner), calibrated on " << calib.size()
              << " observations\n";
    folds.push_back({{"left_out", left_out.name},
                     {"points", card.points.size() + corner_card.points.size()},
                     {"corner_points", corner_card.points.size()},
                     {"calibration", calib.size()}});
    scored.insert(scored.end(), card.points.begin(), card.points.end());
    scored.insert(scored.end(), corner_card.points.begin(), corner_card.points.end());
  }
  if (scored.empty()) throw std::invalid_argument("no layout could be left out: every fold was unidentifiable");
  const reports::SplitScores split = reports::split_by_extrapolation(scored);
  std::cout << reports::describe(split);
  if (!c.out.empty()) {
    json doc = reports::split_scores_json(split);
    doc["command"] = "cross-validate";
    doc["folds"] = folds;
    doc["hold_out_corner"] = c.hold_out_corner;
    doc["provenance"] = planner::provenance_json(set.provenance);
    write_or_print(c.out, base::json_text(doc, 2) + "\n");
  }
  return kExitOk;
}

CLI::App* add_plan_command(CLI::App& app, PlanCommand& c) {
  auto* cmd = app.add_subcommand("plan", "The Pareto front of layouts under a budget, from a cost model");
  cmd->add_option("model", c.model, "The cost model (calibrate --out)")->required();
  cmd->add_option("--budget", c.budget, "e.g. 'decode_ms<=20,peak_mb<=900' (quantities: decode_ms, peak_mb, "
                                        "ttft_ms, throughput_tok_s, forward_ms, ...)")
      ->required();
  cmd->add_option("--depth", c.depth, "Positions in the KV cache (decode), the prompt (ttft_ms) or the sequence")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 17));
  cmd->add_option("--batch", c.batch, "Sequences a call")->capture_default_str()->check(CLI::Range(1, 1 << 16));
  cmd->add_option("--scale", c.scale, "Plan at another width family (e.g. 350m): the explicit width transfer");
  cmd->add_option("--max-attention", c.max_attention, "Most attention layers a layout has")
      ->capture_default_str()->check(CLI::Range(1, 200));
  cmd->add_option("--max-mlp-only", c.max_mlp_only, "Most MLP-only layers")->capture_default_str()->check(CLI::Range(0, 200));
  cmd->add_option("--max-layers", c.max_layers, "Most layers in all")->capture_default_str()->check(CLI::Range(1, 400));
  cmd->add_option("--measure-next", c.measure_next, "Layouts to propose for measuring")
      ->capture_default_str()->check(CLI::Range(0, 100));
  cmd->add_flag("--json", c.json, "Write JSON (scripts/plot_planner.py plan) instead of text");
  cmd->add_option("--out", c.out, "Write to this file instead of standard output")->check(writable_file());
  return cmd;
}

int run_plan_command(const PlanCommand& c) {
  const planner::Budget budget = planner::parse_budget(c.budget);
  planner::CostModel model = planner::read_model(c.model);
  if (!c.scale.empty()) model = planner::transfer_width(model, c.scale);
  // Always decode and its peak, where calibrated, and whatever the budget bounds.
  std::vector<planner::Workload> workloads;
  auto want = [&](Quantity q) {
    if (std::any_of(workloads.begin(), workloads.end(), [&](const auto& w) { return w.quantity == q; })) return;
    const bool sequence = q == Quantity::forward_ms || q == Quantity::forward_backward_ms ||
                          q == Quantity::train_step_ms || q == Quantity::ttft_ms;
    workloads.push_back(sequence ? planner::Workload{q, c.batch, c.depth, 0} : planner::Workload{q, c.batch, 1, c.depth});
  };
  for (Quantity q : {Quantity::decode_ms, Quantity::peak_mb}) {
    if (model.find(q)) want(q);
  }
  for (const auto& b : budget) want(b.quantity);
  const bench::Point like = point_like(model, "decode");
  const planner::AnalyticMemory analytic = [&](const models::ModelConfig& config, const planner::Workload& w) {
    bench::Point p = like;
    p.model = config.name;
    p.shape = {{bench::Axis::kBatch, w.batch}, {bench::Axis::kDepth, w.depth}, {bench::Axis::kGen, 1}};
    return bench::predict_decode(config, p).peak_bytes() / 1e6;
  };
  planner::LayoutSpace space;
  space.max_attention = c.max_attention;
  space.max_mlp_only = c.max_mlp_only;
  space.max_total_layers = c.max_layers;
  const planner::PlanResult result = planner::plan(model, space, workloads, budget, analytic, c.measure_next);
  // As predict refuses such a figure: a front built on it would rank nonsense.
  for (const auto& candidate : result.front) {
    for (const auto& p : candidate.predictions) {
      if (!std::isfinite(p.value) || p.value <= 0) {
        throw std::invalid_argument(c.model + ": the cost model predicts " + std::to_string(p.value) + " for " +
                                    std::string(planner::info(p.quantity).name) + " of layout " + candidate.model.name +
                                    ": not a positive figure; recalibrate");
      }
    }
  }
  if (c.json) {
    json doc = reports::plan_json(result, model);
    doc["budget"] = c.budget;
    doc["depth"] = c.depth;
    doc["batch"] = c.batch;
    write_or_print(c.out, base::json_text(doc, 2) + "\n");
    return kExitOk;
  }
  std::string text = "at " + model.widths_name + " widths" +
                     (model.transferred_from.empty() ? "" : " (transferred from " + model.transferred_from + ")") +
                     ", batch " + std::to_string(c.batch) + ", depth " + std::to_string(c.depth) + ", budget " +
                     c.budget + "\n" + planner::describe(result);
  std::string measured;
  for (const auto& cand : result.front) {
    if (reports::measured_layout(model, cand.model)) measured += " " + cand.model.layout.to_string();
  }
  text += "measured (calibration layouts on the front):" + (measured.empty() ? std::string(" none") : measured) + "\n";
  write_or_print(c.out, text);
  return kExitOk;
}

}  // namespace shishu::cli
