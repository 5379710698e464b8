// `shishu-bench run --shard i/N --shard-cost MODEL.json`: shards balanced by the layout
// planner's predicted times (planner/, `shishu-report calibrate`) instead of the nominal
// roofline (bench/point_cost.h). A repetition costs the latency_ms the cost model
// predicts for the point (reports/planner_reports.h, as `shishu-report predict` writes
// it). The plan must be the same on every machine that computes it (a login node
// listing, each array task): the model file is an input like the preset, never checked
// against the machine it is read on. reports/SHARDING.md.
#pragma once
#include <string>

#include "bench/point_cost.h"

namespace shishu::cli {

// Reads the model (std::invalid_argument naming the file and the place on a bad one).
bench::RepetitionModel planner_repetition_model(const std::string& model_path);

// "planner model M.json: 40 of 42 points (2 at the nominal cost x 3.1, e.g. <id>: <why>)",
// or "nominal (bench/point_cost.h)": what the shards' seconds are.
std::string cost_source(const bench::PointCosts& costs, const std::string& model_path);

}  // namespace shishu::cli
