// End to end: the planner on real reports. shishu-bench measures two tiny sweeps once
// (tests/data/planner-phases.json: every phase on one layout; planner-tiny.json: four
// layouts that tell the forward and decode terms apart, and one held out), then
//   - the bridge (reports/planner_observations.h) maps each phase's figures onto the
//     workloads its timing implies, checked against the report's own samples;
//   - shishu-report calibrate, predict (with and without --against), cross-validate and
//     plan run on them, and refuse bad input with exit 2, naming the problem.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <tuple>

#include "bench/phase_row.h"
#include "planner_e2e_runs.h"
#include "reports/planner_observations.h"

namespace {

using nlohmann::json;
using shishu::planner::Quantity;
using shishu::testing::kReport;
using shishu::testing::read_json;
using shishu::testing::run_exe;

shishu::testing::PlannerRuns& runs() { return shishu::testing::planner_runs(); }

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The mean depth of a decode point's G steps, step i at depth + i: depth + (G - 1) / 2,
// rounded down.
struct Expected {
  Quantity quantity;
  int64_t batch, tokens, depth;
  std::string metric;
};

}  // namespace

TEST(PlannerBridge, MapsEveryPhaseToTheWorkloadsItTimes) {
  REQUIRE_PLANNER_RUNS();
  shishu::bench::register_builtin_phase_declarations();
  const auto report = shishu::reports::load_report(runs().phases + "/report.json");
  const auto set = shishu::reports::observations_from({report});
  // By point: what each one's figures are, worked out from planner-phases.json's axes.
  const std::map<std::string, std::vector<Expected>> expected = {
      {"forward/125m:1/fp32/cpu/eager/b1/t8",
       {{Quantity::forward_ms, 1, 8, 0, "latency_ms"}, {Quantity::peak_mb, 1, 8, 0, "cpu_peak_allocated_bytes"}}},
      {"forward_backward/125m:1/fp32/cpu/eager/b1/t8",
       {{Quantity::forward_backward_ms, 1, 8, 0, "latency_ms"},
        {Quantity::peak_mb, 1, 8, 0, "cpu_peak_allocated_bytes"}}},
      {"train_step/125m:1/fp32/cpu/eager/b1/t8",
       {{Quantity::train_step_ms, 1, 8, 0, "latency_ms"}, {Quantity::peak_mb, 1, 8, 0, "cpu_peak_allocated_bytes"}}},
      // TTFT at the prompt; 2 decode steps at depths 8 and 9: the throughput at 8.
      {"generate/125m:1/fp32/cpu/eager/b2/p8/g3",
       {{Quantity::ttft_ms, 2, 8, 0, "ttft_ms"},
        {Quantity::throughput_tok_s, 2, 1, 8, "throughput_tok_s"},
        {Quantity::peak_mb, 2, 8, 0, "cpu_peak_allocated_bytes"}}},
      // A chunked prefill gives no TTFT.
      {"generate/125m:1/fp32/cpu/eager/b1/p8/g3/c4",
       {{Quantity::throughput_tok_s, 1, 1, 8, "throughput_tok_s"},
        {Quantity::peak_mb, 1, 8, 0, "cpu_peak_allocated_bytes"}}},
      // 4 steps at depths 16..19: their median is between 17 and 18; the deepest is 19.
      {"decode/125m:1/fp32/cpu/eager/b2/d16/g4",
       {{Quantity::decode_ms, 2, 1, 17, "decode_step_ms"}, {Quantity::peak_mb, 2, 1, 19, "cpu_peak_allocated_bytes"}}},
  };
  std::map<std::string, size_t> seen;
  ASSERT_EQ(set.observations.size(), set.sources.size());
  for (size_t i = 0; i < set.observations.size(); ++i) {
    const auto& o = set.observations[i];
    const std::string& id = set.sources[i].point_id;
    ASSERT_TRUE(expected.count(id)) << id;
    ASSERT_LT(seen[id], expected.at(id).size()) << id << ": more figures than expected";
    const Expected& e = expected.at(id)[seen[id]++];
    EXPECT_EQ(o.workload.quantity, e.quantity) << id;
    EXPECT_EQ(std::tie(o.workload.batch, o.workload.new_tokens, o.workload.depth),
              std::tie(e.batch, e.tokens, e.depth))
        << id << " " << shishu::planner::info(e.quantity).name;
    const auto& point = *report.find(id);
    if (e.quantity == Quantity::peak_mb) {
      EXPECT_DOUBLE_EQ(o.measured, point.values.at(e.metric) / 1e6) << id;
      EXPECT_DOUBLE_EQ(o.workload.analytic_mb, point.values.at("predicted_total_bytes") / 1e6) << id;
      EXPECT_EQ(o.noise_rel, 0) << id << ": one round of a scalar has no noise estimate";
    } else {
      const auto& samples = point.samples.at(e.metric);
      EXPECT_DOUBLE_EQ(o.measured, median_of(samples)) << id;
      // One round: half the range of the figure a repetition records once, over its median.
      const auto& per_rep = point.samples.at(e.quantity == Quantity::decode_ms ? "latency_ms" : e.metric);
      const auto [lo, hi] = std::minmax_element(per_rep.begin(), per_rep.end());
      EXPECT_NEAR(o.noise_rel, (*hi - *lo) / 2 / median_of(per_rep), 1e-12) << id;
    }
  }
  for (const auto& [id, rows] : expected) EXPECT_EQ(seen[id], rows.size()) << id;
  EXPECT_EQ(set.provenance.dtype, "fp32");
  EXPECT_EQ(set.provenance.bytes_per_element, 4);
  EXPECT_EQ(set.provenance.device.rfind("cpu: ", 0), 0u) << set.provenance.device;
  const std::string commit = report.context.value("git_commit", "");
  EXPECT_EQ(set.provenance.build_commit.rfind(commit, 0), 0u) << set.provenance.build_commit;
  EXPECT_EQ(set.provenance.context.value("libtorch_version", ""), report.context.value("libtorch_version", ""));
}

// Rounds pool to the median of the points' medians, their noise half the rounds' range.
TEST(PlannerBridge, PoolsRoundsAndRefusesForeignOrPredictedReports) {
  REQUIRE_PLANNER_RUNS();
  shishu::bench::register_builtin_phase_declarations();
  const auto one = shishu::reports::load_report(runs().phases + "/report.json");
  auto scaled = [&](double k, const std::string& path) {
    auto r = one;
    r.path = path;
    r.context["started_at"] = path;  // another round: another run
    for (auto& p : r.points) {
      for (auto& [key, samples] : p.samples) {
        for (double& s : samples) s *= k;
      }
    }
    return r;
  };
  const auto set = shishu::reports::observations_from({scaled(1.1, "r2"), one, scaled(0.95, "r3")});
  const auto base = shishu::reports::observations_from({one});
  ASSERT_EQ(set.observations.size(), base.observations.size());
  EXPECT_EQ(set.rounds, 3);
  for (size_t i = 0; i < set.observations.size(); ++i) {
    const auto& o = set.observations[i];
    if (o.workload.quantity == Quantity::peak_mb) continue;  // scalars: not scaled here
    EXPECT_DOUBLE_EQ(o.measured, base.observations[i].measured) << set.sources[i].point_id;
    EXPECT_NEAR(o.noise_rel, (1.1 - 0.95) / 2, 1e-12) << set.sources[i].point_id;
    EXPECT_EQ(set.sources[i].rounds, 3);
  }
  // The refusal of a set of rounds, or "(accepted)".
  auto refusal = [](const std::vector<shishu::reports::LoadedReport>& rounds) -> std::string {
    try {
      shishu::reports::observations_from(rounds);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "(accepted)";
  };
  // One run given twice is not two rounds.
  auto again = one;
  again.path = "again.json";
  std::string msg = refusal({one, again});
  EXPECT_NE(msg.find("are one run"), std::string::npos) << msg;
  // Another thread count is another cost, as is another build.
  auto other_threads = one;
  other_threads.path = "threads.json";
  other_threads.context["started_at"] = "threads";
  for (auto& d : other_threads.context["devices"]) d["torch_threads"] = 64;
  msg = refusal({one, other_threads});
  EXPECT_NE(msg.find("differ in torch_threads"), std::string::npos) << msg;
  auto other_build = one;
  other_build.path = "other.json";
  other_build.context["git_commit"] = "0000000";
  other_build.context["started_at"] = "later";
  msg = refusal({one, other_build});
  EXPECT_NE(msg.find("differ in build_commit"), std::string::npos) << msg;
  EXPECT_NE(msg.find("other.json"), std::string::npos) << msg;
  auto predicted = one;
  predicted.predicted = true;
  predicted.path = "predicted.json";
  msg = refusal({predicted});
  EXPECT_NE(msg.find("predicted.json is a predicted report"), std::string::npos) << msg;
}

TEST(PlannerCli, ATinyCalibrationPredictsAHeldOutLayout) {
  REQUIRE_PLANNER_RUNS();
  const std::string scores = runs().dir + "/held-out.json";
  std::string err, out;
  ASSERT_EQ(run_exe(kReport, "predict " + runs().model + " --against " + runs().tiny + " --models 125m:2+1 --out " +
                                 scores,
                    &err, &out),
            0)
      << err;
  EXPECT_NE(out.find("within the calibrated range"), std::string::npos) << out;
  const json doc = read_json(scores);
  std::map<std::string, int> by_quantity;
  for (const char* part : {"interpolated", "extrapolated"}) {
    for (const auto& p : doc[part]["points"]) {
      EXPECT_EQ(p["model"], "125m:2+1");
      ASSERT_TRUE(p["relative_error"].is_number()) << p;
      EXPECT_TRUE(std::isfinite(p["relative_error"].get<double>())) << p;
      EXPECT_GT(p["predicted"].get<double>(), 0) << p;
      ++by_quantity[p["quantity"]];
    }
  }
  // 3 forward shapes and 4 decode shapes, each with its peak.
  EXPECT_EQ(by_quantity["forward_ms"], 3);
  EXPECT_EQ(by_quantity["decode_ms"], 4);
  EXPECT_EQ(by_quantity["peak_mb"], 7);
  for (const auto& q : doc["interpolated"]["quantities"]) {
    EXPECT_TRUE(q["median"].is_number()) << q;
    EXPECT_FALSE(q["baselines"].empty()) << q << ": the params and flops baselines score the same points";
  }

  // The same prediction as a report: the scorecard's forward figure at batch 1 (the
  // default, as run's), 8 tokens.
  const std::string predicted = runs().dir + "/predicted.json";
  ASSERT_EQ(run_exe(kReport, "predict " + runs().model + " --models 125m:2+1 --phase forward --seq 8 --out " +
                                 predicted,
                    &err),
            0)
      << err;
  const json report = read_json(predicted);
  EXPECT_EQ(report["context"]["predicted"], true);
  ASSERT_EQ(report["points"].size(), 1u);
  const json& point = report["points"][0];
  EXPECT_EQ(point["predicted"], true);
  // 2+1 holds more weights than any calibration layout (2 attention layers and an MLP
  // set): its analytic peak lies above the calibrated ones, its layer counts inside.
  EXPECT_EQ(point["extrapolated"], json({"analytic_mb"})) << point;
  double from_card = 0;
  for (const auto& p : doc["interpolated"]["points"]) {
    if (p["quantity"] == "forward_ms" && p["new_tokens"] == 8) from_card = p["predicted"];
  }
  EXPECT_DOUBLE_EQ(point["metrics"]["latency_ms"]["samples"][0].get<double>(), from_card);
  EXPECT_GT(point["metrics"]["cpu_peak_allocated_bytes"].get<double>(), 0);

  // Far outside the calibrated depths, and at another width by the explicit transfer.
  ASSERT_EQ(run_exe(kReport, "predict " + runs().model +
                                 " --models 125m:2+1 --phase decode --batch 1 --depth 4096 --gen 8 --out " + predicted,
                    &err),
            0)
      << err;
  EXPECT_EQ(read_json(predicted)["points"][0]["extrapolated"], json({"analytic_mb", "depth"}));
  ASSERT_EQ(run_exe(kReport, "predict " + runs().model +
                                 " --models 350m:2 --phase decode --batch 1 --depth 32 --gen 8 --scale 350m --out " +
                                 predicted,
                    &err),
            0)
      << err;
  const json wide = read_json(predicted)["points"][0];
  EXPECT_NE(std::find(wide["extrapolated"].begin(), wide["extrapolated"].end(), "width"), wide["extrapolated"].end());
}

TEST(PlannerCli, CrossValidationSkipsAFoldItCannotFitAndSaysWhy) {
  REQUIRE_PLANNER_RUNS();
  const std::string cv = runs().dir + "/cv.json";
  std::string err, out;
  ASSERT_EQ(run_exe(kReport, "cross-validate " + runs().tiny + " --hold-out-corner --out " + cv, &err, &out), 0) << err;
  const json doc = read_json(cv);
  int scored = 0, skipped = 0;
  for (const auto& f : doc["folds"]) {
    if (f.contains("skipped")) {
      ++skipped;
      // The only tied layout: without it no calibration layout reuses a set.
      EXPECT_EQ(f["left_out"], "125m:1+1*2");
      EXPECT_NE(f["skipped"].get<std::string>().find("tied second-use term"), std::string::npos) << f;
    } else {
      ++scored;
    }
  }
  EXPECT_EQ(skipped, 1);
  EXPECT_EQ(scored, 4);
  EXPECT_NE(out.find("left out 125m:1+1*2: skipped"), std::string::npos) << out;
  // The corner: decode at batch 2 and depth 64, the largest of both (the forward's largest
  // batch, 2, comes at 16 tokens, below its largest length: it has none). It is never
  // calibrated, and scored apart though each of its axes alone lies in a calibrated range.
  int corner = 0;
  for (const auto& p : doc["extrapolated"]["points"]) {
    const auto& axes = p["extrapolated"];
    if (std::find(axes.begin(), axes.end(), "corner") == axes.end()) continue;
    EXPECT_EQ(p["batch"], 2) << p;
    EXPECT_NE(p["quantity"], "forward_ms") << p;
    corner += p["quantity"] == "decode_ms" && p["depth"] == 65;
  }
  EXPECT_EQ(corner, 4) << "one decode corner point for each of the 4 scored layouts";
  for (const auto& p : doc["interpolated"]["points"]) {
    EXPECT_FALSE(p["batch"] == 2 && p["quantity"] == "decode_ms" && p["depth"] == 65) << p;
  }
}
