// shishu-report merge on synthetic shards: the unsharded order, the points and shards
// missing, each shard's own context, and the shards it refuses. The reference for which
// point belongs to which shard is round-robin arithmetic on the plan (position % N), not
// the merge's own code.
#include <gtest/gtest.h>

#include <set>

#include "reports/efficiency_tables.h"
#include "reports/merge.h"
#include "reports/report_json.h"
#include "synthetic_report.h"

using namespace shishu;
using namespace shishu::reports;

namespace {

// The sweep: eight forward points, one per model, in this order.
std::vector<bench::PointResult> sweep() {
  std::vector<bench::PointResult> points;
  for (const char* m : {"m7", "m2", "m5", "m0", "m3", "m6", "m1", "m4"})
    points.push_back(shishu::testing::forward_point(m, {1, 2}));
  return points;
}

std::vector<std::string> ids(const std::vector<bench::PointResult>& points) {
  std::vector<std::string> out;
  for (const auto& p : points) out.push_back(p.point.id());
  return out;
}

// Shard i of n as its run would report it: every n-th point from i, the whole plan, its own host and times.
LoadedReport shard(int i, int n, const std::vector<bench::PointResult>& all = sweep()) {
  std::vector<bench::PointResult> mine;
  for (size_t k = i; k < all.size(); k += n) mine.push_back(all[k]);
  LoadedReport r = shishu::testing::synthetic(mine, "shard-" + std::to_string(i) + "/report.json");
  r.context["shard"] = std::to_string(i) + "/" + std::to_string(n);
  r.context["shard_source"] = "slurm: SLURM_ARRAY_TASK_ID=" + std::to_string(i);
  r.context["sweep_points"] = ids(all);
  r.context["host"] = "node-" + std::to_string(i);
  r.context["started_at"] = "2026-01-01T00:0" + std::to_string(i) + ":00Z";
  r.context["finished_at"] = "2026-01-01T00:0" + std::to_string(i) + ":30Z";
  return r;
}

std::vector<std::string> merged_ids(const MergeResult& m) {
  std::vector<std::string> out;
  for (const auto& p : m.report["points"]) out.push_back(p["id"]);
  return out;
}

std::string refusal(const std::vector<LoadedReport>& shards, bool allow_mixed = false) {
  try {
    merge_reports(shards, allow_mixed);
    ADD_FAILURE() << "merged";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Merge, AWholeMergeIsTheSweepInOrderWithEachShardsContext) {
  const auto plan = ids(sweep());
  const MergeResult m = merge_reports({shard(2, 3), shard(0, 3), shard(1, 3)});
  EXPECT_TRUE(m.complete());
  EXPECT_EQ(merged_ids(m), plan);
  const auto& context = m.report["context"];
  EXPECT_FALSE(context.contains("missing_points"));
  EXPECT_FALSE(context.contains("notes"));
  EXPECT_EQ(context["started_at"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(context["finished_at"], "2026-01-01T00:02:30Z");
  ASSERT_EQ(context["shards"].size(), 3u);
  // Every point is listed under exactly the shard that round-robin gives it, with that shard's context.
  for (size_t k = 0; k < plan.size(); ++k) {
    const int owner = static_cast<int>(k % 3);
    int listed = 0;
    for (const auto& s : context["shards"]) {
      const auto& points = s["points"];
      if (std::find(points.begin(), points.end(), plan[k]) == points.end()) continue;
      ++listed;
      EXPECT_EQ(s["shard"], std::to_string(owner) + "/3") << plan[k];
      EXPECT_EQ(s["host"], "node-" + std::to_string(owner));
      EXPECT_EQ(s["started_at"], "2026-01-01T00:0" + std::to_string(owner) + ":00Z");
      EXPECT_EQ(s["shard_source"], "slurm: SLURM_ARRAY_TASK_ID=" + std::to_string(owner));
      EXPECT_EQ(s["devices"][0]["name"], "NVIDIA H100 80GB HBM3");
      EXPECT_EQ(s["report"], "shard-" + std::to_string(owner) + "/report.json");
    }
    EXPECT_EQ(listed, 1) << plan[k];
  }
  // The merged report reads back under the schema's type checks.
  EXPECT_NO_THROW(report_from_json(m.report, "merged.json"));
}

TEST(Merge, AMissingShardNamesItsPointsAndTheMergeIsIncomplete) {
  const auto plan = ids(sweep());
  const MergeResult m = merge_reports({shard(0, 3), shard(2, 3)});
  EXPECT_FALSE(m.complete());
  std::vector<std::string> expected_missing, expected_present;
  for (size_t k = 0; k < plan.size(); ++k) (k % 3 == 1 ? expected_missing : expected_present).push_back(plan[k]);
  EXPECT_EQ(m.missing_points, expected_missing);
  EXPECT_EQ(m.missing_shards, std::vector<std::string>{"1/3"});
  EXPECT_EQ(merged_ids(m), expected_present);  // the rest, still in sweep order
  const auto& context = m.report["context"];
  EXPECT_EQ(context["missing_points"], expected_missing);
  EXPECT_EQ(context["missing_shards"], std::vector<std::string>{"1/3"});
  // One shard alone is a merge too: it names the other two.
  EXPECT_EQ(merge_reports({shard(1, 3)}).missing_shards, (std::vector<std::string>{"0/3", "2/3"}));

  // A shard that wrote a report without one of its points (e.g. --benchmark_filter).
  LoadedReport partial = shard(1, 3);
  partial.points.erase(partial.points.begin());
  const MergeResult p = merge_reports({shard(0, 3), partial, shard(2, 3)});
  EXPECT_EQ(p.missing_points, std::vector<std::string>{plan[1]});
  EXPECT_TRUE(p.missing_shards.empty());
  // The tables say it is incomplete.
  const std::string notes = context_notes(report_from_json(p.report, "m.json"), TableFormat::kMarkdown);
  EXPECT_EQ(notes, "> Note: incomplete: 1 point(s) missing\n\n");
}

TEST(Merge, RefusesShardsOfAnotherBuildPresetOrSweepByName) {
  auto other_build = shard(1, 3);
  other_build.context["git_commit"] = "def";
  std::string why = refusal({shard(0, 3), other_build});
  EXPECT_NE(why.find("'git_commit' differs"), std::string::npos) << why;
  EXPECT_NE(why.find("shard-1/report.json"), std::string::npos) << why;
  auto other_preset = shard(2, 3);
  other_preset.context["preset"] = "paper";
  why = refusal({shard(0, 3), other_preset});
  EXPECT_NE(why.find("'preset' differs: \"ci-gpu\" in shard-0/report.json, \"paper\" in shard-2/report.json"),
            std::string::npos)
      << why;
  // Shards priced by another cost were planned by another rule: they overlap.
  auto other_cost = shard(1, 3);
  other_cost.context["shard_cost"] = "model.json";
  why = refusal({shard(0, 3), other_cost});
  EXPECT_NE(why.find("'shard_cost' differs"), std::string::npos) << why;
  // Same preset and build, another --models: the plans differ.
  auto fewer = sweep();
  fewer.pop_back();
  why = refusal({shard(0, 3), shard(1, 3, fewer)});
  EXPECT_NE(why.find("the sweeps differ"), std::string::npos) << why;
  EXPECT_NE(why.find("8 points in one, 7 in the other"), std::string::npos) << why;
  // Another shard count, and shard text that is not exactly i/N.
  why = refusal({shard(0, 3), shard(1, 4)});
  EXPECT_NE(why.find("one of 3 shards"), std::string::npos) << why;
  auto odd = shard(1, 3);
  odd.context["shard"] = "1/3/5";
  why = refusal({shard(0, 3), odd});
  EXPECT_NE(why.find("shard-1/report.json: context.shard '1/3/5'"), std::string::npos) << why;
}

TEST(Merge, DifferentDeviceKindsNeedAllowMixedDevicesAndTheTablesSaySo) {
  auto a100 = shard(1, 2);
  a100.context["devices"][0]["name"] = "NVIDIA A100-SXM4-80GB";
  const std::string why = refusal({shard(0, 2), a100});
  EXPECT_NE(why.find("cuda: 'NVIDIA H100 80GB HBM3' in shard-0/report.json (shard 0/2), 'NVIDIA A100-SXM4-80GB' in "
                     "shard-1/report.json (shard 1/2)"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("--allow-mixed-devices"), std::string::npos) << why;
  // Another driver on the same GPU model is not another device kind.
  auto driver = shard(1, 2);
  driver.context["devices"][0]["driver_version"] = "12.8";
  EXPECT_TRUE(merge_reports({shard(0, 2), driver}).complete());

  const MergeResult m = merge_reports({shard(0, 2), a100}, true);
  EXPECT_TRUE(m.complete());
  const auto& context = m.report["context"];
  EXPECT_EQ(context["devices"].size(), 2u);
  EXPECT_EQ(context["shards"][1]["devices"][0]["name"], "NVIDIA A100-SXM4-80GB");
  const LoadedReport merged = report_from_json(m.report, "merged.json");
  for (const auto format : {TableFormat::kMarkdown, TableFormat::kCsv, TableFormat::kLatex}) {
    const std::string notes = context_notes(merged, format);
    EXPECT_NE(notes.find("Note: mixed devices, merged with --allow-mixed-devices: cuda: 'NVIDIA H100"),
              std::string::npos)
        << notes;
  }
  EXPECT_EQ(context_notes(merged, TableFormat::kCsv).rfind("# Note: ", 0), 0u);
  EXPECT_EQ(
      context_notes(report_from_json(merge_reports({shard(0, 2), shard(1, 2)}).report, "m.json"), TableFormat::kCsv),
      "");
}

TEST(Merge, ContextFieldsOfAMergeAreTypeChecked) {
  nlohmann::json doc = merge_reports({shard(0, 2), shard(1, 2)}).report;
  for (const char* key : {"notes", "missing_points", "sweep_points", "shards"}) {
    nlohmann::json bad = doc;
    bad["context"][key] = "x";
    EXPECT_THROW(report_from_json(bad, "bad.json"), std::invalid_argument) << key;
  }
}
