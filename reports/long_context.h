// `shishu-report long-context`: the study beyond the paper's 4096 tokens, from decode
// points (the decode phase): for each scale, the ms a token and the KV cache read
// against the depth, ShishuLM's speed-up over MobileLLM against the depth beside the
// paper's at its longest setting, and the longest cache each model fits in a memory,
// by the memory prediction, checked against the deepest measured point.
#pragma once
#include <string>

#include "reports/loaded_report.h"

namespace shishu::reports {

// Markdown; `memory_bytes`: the memory the "longest depth" column fits in.
std::string long_context_tables(const LoadedReport& report, double memory_bytes);

// `memory_gb` in bytes, or, at 0, the memory of the report's first device (a GPU's; the
// CPU reports none). Throws std::invalid_argument when neither says.
double fit_memory_bytes(const LoadedReport& report, double memory_gb);

}  // namespace shishu::reports
