// The `context` of a run's report: what ran, where, on what, and what a reader must be
// warned about (reports/SCHEMA.md describes every field).
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "bench/point_runner.h"
#include "bench/sweep.h"
#include "cli/run_command.h"

namespace shishu::cli {

nlohmann::json make_context(const RunOptions& o, const bench::Sweep& sweep, bench::PointRunner& runner,
                            const std::vector<bench::Point>& points, const std::string& started);

}  // namespace shishu::cli
