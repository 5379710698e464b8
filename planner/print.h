// Plain-text views for people: the coefficients with their units, the scorecard and
// the plan. Tables and JSON for machines are the reports' business (integration).
#pragma once
#include <string>

#include "planner/cost_model.h"
#include "planner/plan.h"
#include "planner/score.h"

namespace shishu::planner {

// Every quantity's coefficients, e.g.
//   "  MLP-only term, per token   0.8120 ± 0.0140  ms per layer per 1k tokens"
// then its calibrated ranges.
std::string describe(const CostModel& model);
// Per quantity: median, p90 and max relative error, the median noise, hits, Kendall's
// tau, and each baseline's figures on the same points.
std::string describe(const Scorecard& card);
// The front (layout, parameters, attention layers, KV bytes per token, predictions)
// and the layouts to measure next.
std::string describe(const PlanResult& plan);

}  // namespace shishu::planner
