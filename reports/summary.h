// The short Markdown summary printed at the end of a run: one row per point, columns
// and units taken from the field table.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/result.h"

namespace shishu::reports {

// `context`: the report's, whose settings say whether samples were cold or slowed.
std::string markdown_summary(const std::vector<bench::PointResult>& results, const nlohmann::json& context);

// Human formatting by a metric's format hint: "12.3 ms", "1.21 GB", "45.6 %".
std::string format_value(const std::string& metric_key, double value);

}  // namespace shishu::reports
