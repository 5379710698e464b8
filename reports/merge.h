// Merges the reports of the shards of one sweep (shishu-bench run --shard i/N).
#pragma once
#include <nlohmann/json.hpp>

#include <vector>

#include "reports/loaded_report.h"

namespace shishu::reports {

// Refuses (std::invalid_argument, naming the difference) shards of different sweeps or
// builds, and overlapping points whose results disagree. Points come back in the
// unsharded sweep's order (round-robin sharding is undone by shard index).
nlohmann::json merge_reports(const std::vector<LoadedReport>& shards);

}  // namespace shishu::reports
