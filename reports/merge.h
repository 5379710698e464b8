// Merges the reports of the shards of one sweep (shishu-bench run --shard i/N).
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "reports/loaded_report.h"

namespace shishu::reports {

struct MergeResult {
  nlohmann::json report;
  // Points of the sweep that no shard report holds, in sweep order, and the shards ("i/N")
  // with no report at all. Both empty: the merge is whole.
  std::vector<std::string> missing_points, missing_shards;
  bool complete() const { return missing_points.empty() && missing_shards.empty(); }
};

// Refuses (std::invalid_argument, naming the field and the files) shards of different
// sweeps or builds, overlapping points whose results disagree, and shards whose devices
// of one kind have different names (an H100 shard and an A100 shard), unless
// `allow_mixed_devices`; a note in the merged context then says so. Points come back in
// the unsharded sweep's order: the plan each shard recorded (context.sweep_points), or,
// in reports without one, round-robin undone by shard index. Each shard's own context
// (host, shard, times, devices) is kept in context.shards, with the ids of its points.
MergeResult merge_reports(const std::vector<LoadedReport>& shards, bool allow_mixed_devices = false);

}  // namespace shishu::reports
