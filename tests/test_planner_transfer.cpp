// The explicit width transfer (planner/width_transfer.h), against a synthetic cost law
// that holds at every width: each term's cost is a fixed price times the work behind
// it, the work taken here from models/analytic.h's FLOPs and weight bytes by
// differences of whole models (one layer added, one logit row more, one cached key
// more), not from the transfer's own per-layer parameter counts. Calibrated at 125M on
// the calibrate.json design, transferred to 350M, it must predict the registered 350M
// models about as well as a 125M calibration predicts the 125M ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "models/analytic.h"
#include "planner/model_file.h"
#include "planner/score.h"
#include "planner/width_transfer.h"
#include "planner_synthetic.h"

namespace planner = shishu::planner;
namespace models = shishu::models;
using planner::Quantity;

namespace {

models::ModelConfig at(const models::Widths& w, const char* layout) {
  models::ModelConfig c;
  c.widths = w;
  c.layout = models::parse_layout(layout);
  c.name = layout;
  return c;
}

// The work behind each time term at widths w.
std::map<std::string, double> work(const models::Widths& w) {
  auto flops = [&](const char* layout, int64_t past, int64_t logits) {
    return models::forward_flops(at(w, layout), 1, 1, past, logits);
  };
  auto bytes = [&](const char* layout) { return double(models::weight_bytes(at(w, layout), 4)); };
  const double pair = flops("1", 1, 0) - flops("1", 0, 0);  // one more key attended
  const double attention_token = flops("1", 0, 0) - pair;   // a token through the layer, its one key aside
  const double mlp_token = flops("1+1", 0, 0) - flops("1", 0, 0);
  const double attention_weights = bytes("2") - bytes("1"), mlp_weights = bytes("1+1") - bytes("1");
  return {{"attention.per_call", attention_weights}, {"attention.per_token", attention_token},
          {"attention.per_context", pair},           {"mlp_only.per_call", mlp_weights},
          {"mlp_only.per_token", mlp_token},         {"tied_reuse.per_call", mlp_weights},
          {"tied_reuse.per_token", mlp_token},       {"lm_head.per_row", flops("1", 0, 1) - flops("1", 0, 0)},
          {"overhead.per_call", 1.0}};
}

// The law's coefficients at widths w: planner_synthetic.h's at 125M, each scaled by its
// work's ratio.
std::map<std::string, double> law(Quantity q, const models::Widths& w) {
  const auto base = planner::testing::true_coefficients(q);
  const auto w125 = work(models::find_family("125m")->widths), ww = work(w);
  std::map<std::string, double> out;
  for (const auto& [key, a] : base) out[key] = a * ww.at(key) / w125.at(key);
  return out;
}

double law_target(const models::ModelConfig& m, const planner::Workload& w) {
  double sum = 0;
  for (const auto& [key, a] : law(w.quantity, m.widths)) sum += a * planner::testing::true_feature(key, m.layout, w);
  return sum;
}

const std::vector<planner::Workload> kWorkloads = {
    {Quantity::forward_ms, 1, 64, 0},   {Quantity::forward_ms, 1, 128, 0},      {Quantity::train_step_ms, 1, 64, 0},
    {Quantity::ttft_ms, 1, 64, 0},      {Quantity::decode_ms, 1, 1, 100},       {Quantity::decode_ms, 4, 1, 300},
    {Quantity::throughput_tok_s, 4, 1, 71}};

}  // namespace

TEST(PlannerWidthTransfer, PredictsAnotherWidthUnderALawOfWork) {
  const auto model = planner::fit(
      planner::testing::preset_observations(planner::testing::calibration_preset(), 0.01, 21),
      planner::testing::test_provenance());
  const auto wide = planner::transfer_width(model, "350m");
  EXPECT_EQ(wide.widths_name, "350m");
  EXPECT_EQ(wide.transferred_from, "125m");
  std::vector<double> transferred, naive;
  for (const char* name : {"mobilellm-350m", "shishulm-350m", "shishulm-350m-s"}) {
    const auto config = models::resolve_model(name);
    for (const auto& w : kWorkloads) {
      const double truth = planner::from_fit_target(w, law_target(config, w));
      const auto p = planner::predict(wide, config, w);
      EXPECT_NE(std::find(p.extrapolated.begin(), p.extrapolated.end(), "width"), p.extrapolated.end());
      transferred.push_back(std::abs(p.value - truth) / truth);
      // The same coefficients without the transfer, as if time did not grow with width.
      auto same = model;
      same.widths = config.widths;
      naive.push_back(std::abs(planner::predict(same, config, w).value - truth) / truth);
    }
  }
  const auto t = planner::summarize(transferred), n = planner::summarize(naive);
  std::printf("350M from a 125M calibration: transferred median %.2f%%, max %.2f%%; untransferred median %.1f%%\n",
              100 * t.median, 100 * t.max, 100 * n.median);
  // The law's one difference from the transfer's scaling: a layer's two norms, 2 d of its
  // weights, which the transfer counts and the FLOPs do not (under 0.1%). The rest is the
  // 1% noise carried out to 22-32 layers, as in PlannerEndToEnd's 125M check.
  EXPECT_LE(t.median, 0.03);
  EXPECT_LE(t.max, 0.06);
  EXPECT_GE(n.median, 0.3) << "without the transfer, 350M is about twice the work a layer: far off";
}

TEST(PlannerWidthTransfer, ScalesMemoryTermsByTheirWorkAndRefusesUnknownWidths) {
  const auto model = planner::fit(
      planner::testing::preset_observations(planner::testing::calibration_preset(), 0.01, 22),
      planner::testing::test_provenance());
  const auto wide = planner::transfer_width(model, "350m");
  const auto& from = *model.find(Quantity::peak_mb);
  const auto& to = *wide.find(Quantity::peak_mb);
  // d_model + ffn_hidden: 576 + 1536 at 125M, 960 + 2560 at 350M.
  const std::map<std::string, double> ratio = {
      {"allocator.per_analytic_mb", 1}, {"workspace.per_token", (960.0 + 2560) / (576 + 1536)}, {"workspace.fixed", 1}};
  for (size_t j = 0; j < from.coefficients.size(); ++j) {
    EXPECT_DOUBLE_EQ(to.coefficients[j].value, from.coefficients[j].value * ratio.at(from.coefficients[j].term))
        << from.coefficients[j].term;
  }
  EXPECT_EQ(planner::to_json(planner::transfer_width(model, "125m")), planner::to_json(model))
      << "its own widths: no transfer";
  EXPECT_NE(planner::testing::message_of([&] { planner::transfer_width(model, "7b"); })
                .find("--scale '7b' is not a width family (known: 125m, 350m"),
            std::string::npos);
  EXPECT_NE(planner::testing::message_of([&] { planner::to_json(wide); }).find("is not written to a file"),
            std::string::npos);
}
