// End to end: the launch budget (tests/data/launch-budget.json). The CPU profiler counts
// the top-level ATen operators of each decode step and each layer, for each decode
// backend that runs on the CPU; a change that raises any count fails here, on the CPU,
// before a GPU ever shows it as launch overhead.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "e2e_util.h"

namespace {
const std::string kExe = SHISHU_BENCH_EXE;
const std::string kFamilies = SHISHU_TEST_DATA "/memory-families.json";
const std::string kBudget = SHISHU_TEST_DATA "/launch-budget.json";

void within(double counted, double budget, const std::string& what) {
  EXPECT_LE(counted, budget) << what << ": " << counted << " operators, over the budget of " << budget;
  if (counted < budget) std::cout << what << ": " << counted << " < budget " << budget << ": lower the budget\n";
}
}  // namespace

TEST(LaunchBudget, EveryCpuDecodeBackendStaysWithinItsOperatorBudget) {
  const std::string dir = shishu::testing::fresh_dir("shishu-budget", "decode");
  std::string err;
  ASSERT_EQ(shishu::testing::run_exe(kExe, "run --preset " + kFamilies + " --phase generate --mode eager,fast --profile "
                                               "--reps 1 --out " + dir, &err),
            0)
      << err;
  const auto budgets = shishu::testing::read_json(kBudget);
  const auto report = shishu::testing::read_json(dir + "/report.json");
  ASSERT_EQ(report["points"].size(), 6u);
  for (const auto& p : report["points"]) {
    const auto& s = p["profile"];
    const std::string mode = p["axes"]["mode"];
    const std::string model = mode + " " + p["axes"]["model"].get<std::string>();
    const auto& budget = budgets[mode];
    ASSERT_EQ(s["work_unit"], "operators");
    within(s["per_decode_step"], budget["per_decode_step"][p["axes"]["model"].get<std::string>()], model + " per decode step");
    within(s["per_attention_layer"], budget["per_attention_layer"], model + " per attention layer");
    if (!s["per_mlp_only_layer"].is_null()) {
      within(s["per_mlp_only_layer"], budget["per_mlp_only_layer"], model + " per MLP-only layer");
    }
  }
}
