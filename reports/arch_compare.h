// The architecture comparison: at each scale, every ShishuLM variant (or custom layout)
// against MobileLLM of the same widths, with the paper's own figure beside each of ours,
// computed from the paper's tables over the same swept values.
#pragma once
#include <string>

#include "reports/loaded_report.h"

namespace shishu::reports {

std::string architecture_comparison(const LoadedReport& report);

// The width family of a model spec: "shishulm-125m" -> "125m", "125m:10+20" -> "125m";
// "" for a config.json or anything else.
std::string width_family(const std::string& model);

}  // namespace shishu::reports
