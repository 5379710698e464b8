// The planner's output for machines: predictions as a report of the schema
// (reports/SCHEMA.md, "Predicted reports"), and scorecards and plans as JSON (what
// scripts/plot.py's planner figures read). People's text is planner/print.h's.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "bench/result.h"
#include "planner/cost_model.h"
#include "planner/plan.h"
#include "planner/score.h"

namespace shishu::reports {

struct PredictedPoint {
  bench::PointResult result;              // status ok, the predicted figures as its metrics
  std::vector<std::string> extrapolated;  // union of its figures' axes outside the calibration
};

// Every figure the planner models for each point (reports/planner_observations.h's
// rows, read backwards): latency_ms of the sequence phases; ttft_ms, throughput_tok_s
// and decode_step_ms as one sample each; the peak as the device's peak metric beside
// predicted_total_bytes (the phase's analytic peak it was fitted against); and
// latency_ms of generate (TTFT plus G - 1 steps) and decode (G steps) derived from them.
// Throws std::invalid_argument for a point the model cannot predict: another width, an
// uncalibrated quantity, a phase without a closed form, another device or dtype.
std::vector<PredictedPoint> predict_points(const planner::CostModel& model, const std::vector<bench::Point>& points);
PredictedPoint predict_point(const planner::CostModel& model, const bench::Point& point);

// The report: "predicted": true in its context and on every point, each point's
// "extrapolated" axes, and the cost model's file, provenance and widths in
// context.cost_model.
nlohmann::json predicted_report(const planner::CostModel& model, const std::string& model_path,
                                const std::vector<PredictedPoint>& points, const nlohmann::json& extra_context);

// {"quantities": [{quantity, unit, points, median, p90, max, median_noise, hits,
//  kendall_tau, ranked_pairs, baselines: [{name, median, p90, max, kendall_tau}]}],
//  "points": [{model, quantity, batch, new_tokens, depth, measured, predicted,
//  relative_error, noise_rel, hit, extrapolated, baselines: {name: predicted}}]};
// NaN is null.
nlohmann::json scorecard_json(const planner::Scorecard& card);

// Scored points split in two and tallied apart: those inside the calibrated range, and
// those outside it on some axis (extrapolated: a layout count never calibrated, the
// held-out corner, another width). The protocol scores the second apart.
struct SplitScores {
  planner::Scorecard interpolated, extrapolated;
};
SplitScores split_by_extrapolation(const std::vector<planner::PointScore>& points);
// Both sections under their headings (planner/print.h's table each), for people.
std::string describe(const SplitScores& scores);
// {"interpolated": scorecard_json, "extrapolated": scorecard_json}.
nlohmann::json split_scores_json(const SplitScores& scores);

// {"enumerated", "within_budget", "front": [candidate], "measure_next": [layout]}, a
// candidate being {layout, model, params, attention_layers, kv_bytes_per_token,
// measured, distance_to_calibration, extrapolated, predictions: {quantity: value}}.
nlohmann::json plan_json(const planner::PlanResult& plan, const planner::CostModel& model);

// Whether a plan candidate's layout was among the calibration's (at its own widths).
bool measured_layout(const planner::CostModel& model, const models::ModelConfig& layout);

}  // namespace shishu::reports
