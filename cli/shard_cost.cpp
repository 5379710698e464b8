#include "cli/shard_cost.h"

#include <cstdio>
#include <memory>

#include "planner/model_file.h"
#include "reports/planner_reports.h"

namespace shishu::cli {

bench::RepetitionModel planner_repetition_model(const std::string& model_path) {
  auto model = std::make_shared<const planner::CostModel>(planner::read_model(model_path));
  return [model](const bench::Point& p, std::string* why_not) -> std::optional<double> {
    try {
      const auto predicted = reports::predict_point(*model, p);
      const auto it = predicted.result.samples.find("latency_ms");
      if (it != predicted.result.samples.end()) return it->second.front();
      *why_not = p.id() + ": the model predicts no whole repetition of it (a chunked prefill has no TTFT there)";
    } catch (const std::exception& e) {  // another width, dtype, device, an uncalibrated quantity: named by predict_point
      *why_not = e.what();
    }
    return std::nullopt;
  };
}

std::string cost_source(const bench::PointCosts& c, const std::string& model_path) {
  if (model_path.empty()) return "nominal roofline, bench/point_cost.h";
  std::string text = "planner model " + model_path + ": " + std::to_string(c.from_model) + " of " +
                     std::to_string(c.from_model + c.fallback) + " points";
  if (c.fallback) {
    char factor[32];
    std::snprintf(factor, sizeof factor, "%.3g", c.factor);
    text += " (" + std::to_string(c.fallback) + " at the nominal cost x " + factor + ", e.g. " + c.first_fallback + ")";
  }
  return text;
}

}  // namespace shishu::cli
