#include "reports/planner_reports.h"

#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "bench/phase_predictions.h"
#include "models/analytic.h"
#include "models/hf_format.h"
#include "planner/model_file.h"
#include "planner/print.h"
#include "reports/build_info.h"
#include "reports/planner_observations.h"
#include "reports/report_json.h"

namespace shishu::reports {
namespace {

using nlohmann::json;
using planner::Quantity;

json nullable(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string device_kind(const std::string& provenance_device) {
  return provenance_device.substr(0, provenance_device.find(':'));
}

// The point's own refusals: what the model was not calibrated on.
void check_point(const planner::CostModel& model, const bench::Point& p) {
  const auto& prov = model.provenance;
  const std::string at = p.id() + ": ";
  if (p.dtype.name != prov.dtype) {
    throw std::invalid_argument(at + "dtype " + p.dtype.name + ", but the cost model was calibrated in " + prov.dtype);
  }
  const std::string kind = p.device.is_cuda() ? "cuda" : "cpu";
  if (kind != device_kind(prov.device)) {
    throw std::invalid_argument(at + "device " + p.device.str() + ", but the cost model was calibrated on " +
                                prov.device);
  }
  const json backend = prov.context.value("decode_backend", json("none"));
  if ((p.phase == "generate" || p.phase == "decode") && backend.is_string() && backend != "none" &&
      backend.get<std::string>() != p.mode.name()) {
    throw std::invalid_argument(at + "decode backend " + p.mode.name() + ", but the cost model was calibrated with " +
                                backend.get<std::string>());
  }
}

}  // namespace

std::vector<PredictedPoint> predict_points(const planner::CostModel& model, const std::vector<bench::Point>& points) {
  std::vector<PredictedPoint> out;
  for (const auto& p : points) out.push_back(predict_point(model, p));
  return out;
}

PredictedPoint predict_point(const planner::CostModel& model, const bench::Point& p) {
  check_point(model, p);
  const auto rows = mappings_for(p);
  if (rows.empty()) throw std::invalid_argument(p.id() + ": the planner models no figure of phase " + p.phase);
  const models::ModelConfig config = models::resolve_model_or_config(p.model);
  PredictedPoint pp;
  pp.result.point = p;
  std::set<std::string> extrapolated;
  std::map<Quantity, double> value;
  for (const QuantityMapping* row : rows) {
    planner::Workload w = row->workload(p);
    double analytic_bytes = 0;
    if (row->quantity == Quantity::peak_mb) {
      const bench::ClosedForm closed = bench::closed_form(p.phase);
      if (!closed) throw std::invalid_argument(p.id() + ": phase " + p.phase + " has no closed-form memory prediction");
      analytic_bytes = closed(config, p).peak_bytes();
      w.analytic_mb = analytic_bytes / 1e6;
    }
    planner::Prediction pred;
    try {
      pred = planner::predict(model, config, w);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(p.id() + ": " + e.what());
    }
    if (!(pred.value > 0 && std::isfinite(pred.value))) {
      throw std::invalid_argument(p.id() + ": the cost model predicts " + std::to_string(pred.value) + " for " +
                                  std::string(planner::info(row->quantity).name) + ", which no measurement can be");
    }
    value[row->quantity] = pred.value;
    extrapolated.insert(pred.extrapolated.begin(), pred.extrapolated.end());
    if (row->quantity == Quantity::peak_mb) {
      pp.result.set_value(peak_metric(p), pred.value * 1e6);
      pp.result.set_value("predicted_total_bytes", analytic_bytes);
    } else {
      pp.result.add_sample(row->metric, pred.value);
    }
  }
  // The whole repetition, from its parts: TTFT and G - 1 steps (at their mean depth,
  // so their sum), or G steps.
  const double gen = p.has(bench::Axis::kGen) ? double(p.axis(bench::Axis::kGen)) : 0;
  if (value.count(Quantity::ttft_ms) && value.count(Quantity::throughput_tok_s)) {
    const double step_ms = 1e3 * double(p.batch()) / value[Quantity::throughput_tok_s];
    pp.result.add_sample("latency_ms", value[Quantity::ttft_ms] + (gen - 1) * step_ms);
  }
  if (value.count(Quantity::decode_ms)) pp.result.add_sample("latency_ms", gen * value[Quantity::decode_ms]);
  pp.extrapolated.assign(extrapolated.begin(), extrapolated.end());
  return pp;
}

json predicted_report(const planner::CostModel& model, const std::string& model_path,
                      const std::vector<PredictedPoint>& points, const json& extra_context) {
  const auto& build = build_info();
  std::set<std::string> dtypes, devices;
  std::vector<bench::PointResult> results;
  for (const auto& p : points) {
    dtypes.insert(p.result.point.dtype.name);
    devices.insert(p.result.point.device.str());
    results.push_back(p.result);
  }
  const std::string& device = model.provenance.device;
  json device_list = json::array();
  for (const auto& d : devices) {
    json entry = {{"device", d}, {"kind", device_kind(device)}, {"name", device.substr(device.find(": ") + 2)}};
    // The calibration device's memory, for long-context's longest fit.
    if (model.provenance.context.contains("memory_bytes")) entry["memory_bytes"] = model.provenance.context["memory_bytes"];
    device_list.push_back(entry);
  }
  json cost_model = {{"path", model_path},
                     {"provenance", planner::provenance_json(model.provenance)},
                     {"widths", model.widths_name},
                     {"calibration_layouts", model.calibration_layouts}};
  if (!model.transferred_from.empty()) cost_model["width_transfer"] = model.transferred_from + " to " + model.widths_name;
  json context = extra_context;
  context["predicted"] = true;
  context["tool"] = "shishu-report " + build.version + " predict";
  context["git_commit"] = build.git_commit;
  context["git_dirty"] = build.git_dirty;
  context["dtypes"] = dtypes;
  context["devices"] = device_list;
  context["cost_model"] = cost_model;
  json report = make_report(context, results);
  for (size_t i = 0; i < points.size(); ++i) {
    report["points"][i]["predicted"] = true;
    report["points"][i]["extrapolated"] = points[i].extrapolated;
  }
  return report;
}

json scorecard_json(const planner::Scorecard& card) {
  json quantities = json::array(), points = json::array();
  for (const auto& qs : card.quantities) {
    json baselines = json::array();
    for (const auto& b : qs.baselines) {
      baselines.push_back({{"name", b.name},
                           {"median", nullable(b.errors.median)},
                           {"p90", nullable(b.errors.p90)},
                           {"max", nullable(b.errors.max)},
                           {"kendall_tau", nullable(b.kendall_tau)}});
    }
    const auto& info = planner::info(qs.quantity);
    quantities.push_back({{"quantity", info.name},
                          {"unit", info.unit},
                          {"points", qs.errors.points},
                          {"median", nullable(qs.errors.median)},
                          {"p90", nullable(qs.errors.p90)},
                          {"max", nullable(qs.errors.max)},
                          {"median_noise", nullable(qs.median_noise)},
                          {"hits", qs.hits},
                          {"kendall_tau", nullable(qs.kendall_tau)},
                          {"ranked_pairs", qs.ranked_pairs},
                          {"baselines", baselines}});
  }
  for (const auto& p : card.points) {
    json baselines = json::object();
    for (const auto& b : p.baselines) baselines[b.name] = nullable(b.predicted);
    points.push_back({{"model", p.model},
                      {"quantity", planner::info(p.workload.quantity).name},
                      {"batch", p.workload.batch},
                      {"new_tokens", p.workload.new_tokens},
                      {"depth", p.workload.depth},
                      {"measured", p.measured},
                      {"predicted", p.predicted},
                      {"relative_error", p.relative_error},
                      {"noise_rel", p.noise_rel},
                      {"hit", p.hit},
                      {"extrapolated", p.extrapolated},
                      {"baselines", baselines}});
  }
  return {{"quantities", quantities}, {"points", points}};
}

SplitScores split_by_extrapolation(const std::vector<planner::PointScore>& points) {
  std::vector<planner::PointScore> inside, outside;
  for (const auto& p : points) (p.extrapolated.empty() ? inside : outside).push_back(p);
  return {planner::tally(std::move(inside)), planner::tally(std::move(outside))};
}

std::string describe(const SplitScores& s) {
  auto section = [](const char* title, const planner::Scorecard& card) {
    std::string out = std::string(title) + " (" + std::to_string(card.points.size()) + " points)\n";
    return out + (card.points.empty() ? "  none\n" : planner::describe(card));
  };
  return section("within the calibrated range", s.interpolated) +
         section("extrapolated (outside the calibrated range on some axis; scored apart)", s.extrapolated);
}

json split_scores_json(const SplitScores& s) {
  return {{"interpolated", scorecard_json(s.interpolated)}, {"extrapolated", scorecard_json(s.extrapolated)}};
}

bool measured_layout(const planner::CostModel& model, const models::ModelConfig& layout) {
  if (!model.transferred_from.empty()) return false;  // measured, if at all, at another width
  const std::string text = layout.layout.to_string();
  for (const auto& l : model.calibration_layouts) {
    if (l == text) return true;
  }
  return false;
}

json plan_json(const planner::PlanResult& plan, const planner::CostModel& model) {
  auto candidate = [&](const planner::Candidate& c) {
    json predictions = json::object();
    for (const auto& p : c.predictions) predictions[std::string(planner::info(p.quantity).name)] = p.value;
    return json{{"layout", c.model.layout.to_string()},
                {"model", c.model.name},
                {"params", c.params},
                {"attention_layers", c.attention_layers},
                {"kv_bytes_per_token", c.kv_bytes_per_token},
                {"measured", measured_layout(model, c.model)},
                {"distance_to_calibration", c.distance_to_calibration},
                {"extrapolated", c.extrapolated},
                {"predictions", predictions}};
  };
  json front = json::array(), next = json::array();
  for (const auto& c : plan.front) front.push_back(candidate(c));
  for (const auto& c : plan.measure_next) next.push_back(c.model.layout.to_string());
  return {{"enumerated", plan.enumerated}, {"within_budget", plan.within_budget}, {"front", front},
          {"measure_next", next}, {"widths", model.widths_name}};
}

}  // namespace shishu::reports
