// The planner's fitting: the constrained least squares, coefficient recovery from
// synthetic observations, refusals of designs that cannot tell a term apart, and the
// model file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>

#include "planner/cost_model.h"
#include "planner/least_squares.h"
#include "planner/model_file.h"
#include "planner/print.h"
#include "planner/terms.h"
#include "planner_synthetic.h"

namespace planner = shishu::planner;
using planner::Quantity;

using planner::testing::message_of;

namespace {

planner::Provenance here() { return planner::testing::test_provenance(); }
const std::string kPreset = planner::testing::calibration_preset();

}  // namespace

// Each term's column for one call, worked by hand: layout 2+2*2 runs 2 attention layers,
// 2 MLP-only sets once each and again (2 reuses); batch 2, 3 new tokens, 5 cached: the
// 3 queries see 6, 7 and 8 keys, 21 pairs a sequence.
TEST(PlannerTerms, FeaturesAreTheWorkOfOneCall) {
  const auto layers = planner::layer_counts(shishu::models::parse_layout("2+2*2"));
  const planner::Workload fwd{Quantity::forward_ms, 2, 3, 5};
  const planner::Workload step{Quantity::decode_ms, 2, 1, 5};
  const std::map<std::string, std::pair<double, double>> expected = {
      // forward, decode step
      {"attention.per_call", {2, 2}},
      {"attention.per_token", {2 * 6 / 1e3, 2 * 2 / 1e3}},
      {"attention.per_context", {2 * 2 * 21 / 1e6, 2 * 2 * 6 / 1e6}},
      {"mlp_only.per_call", {2, 2}},
      {"mlp_only.per_token", {2 * 6 / 1e3, 2 * 2 / 1e3}},
      {"tied_reuse.per_call", {2, 2}},
      {"tied_reuse.per_token", {2 * 6 / 1e3, 2 * 2 / 1e3}},
      {"lm_head.per_row", {6 / 1e3, 2 / 1e3}},  // a forward's logits at every row, a step's at one
      {"overhead.per_call", {1, 1}},
  };
  ASSERT_EQ(planner::terms_for(Quantity::forward_ms).size(), expected.size());
  for (const auto& t : planner::terms_for(Quantity::forward_ms)) {
    EXPECT_DOUBLE_EQ(t.feature(layers, fwd), expected.at(std::string(t.key)).first) << t.key;
    EXPECT_DOUBLE_EQ(t.feature(layers, step), expected.at(std::string(t.key)).second) << t.key;
  }
  planner::Workload peak{Quantity::peak_mb, 2, 3, 5, 640.5};
  std::vector<double> memory;
  for (const auto& t : planner::terms_for(Quantity::peak_mb)) memory.push_back(t.feature(layers, peak));
  EXPECT_EQ(memory, (std::vector<double>{640.5, 6 / 1e3, 1}));
}

// Karush-Kuhn-Tucker conditions of min ||Ax - b||^2, x_j >= 0 for constrained j: the
// gradient g = A^T (Ax - b) vanishes on free and positive coordinates and is >= 0 where
// x_j = 0. Checked on a problem whose unconstrained solution has a negative entry.
TEST(PlannerLeastSquares, MeetsTheOptimalityConditions) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> n;
  Eigen::MatrixXd A(40, 4);
  for (int i = 0; i < A.size(); ++i) A.data()[i] = n(rng);
  const Eigen::VectorXd truth = (Eigen::VectorXd(4) << 2.0, -1.5, 0.5, -3.0).finished();
  Eigen::VectorXd b = A * truth;
  for (int i = 0; i < b.size(); ++i) b(i) += 0.1 * n(rng);
  const std::vector<bool> non_negative = {true, true, true, false};  // column 3 free
  const auto fit = planner::bounded_least_squares(A, b, non_negative);
  const Eigen::VectorXd g = A.transpose() * (A * fit.x - b);
  const double scale = A.norm() * b.norm();
  EXPECT_LT(fit.x(3), 0) << "the free column keeps its sign";
  EXPECT_TRUE(fit.at_bound[1]) << "the unconstrained solution has x1 < 0, so it must be held at 0";
  EXPECT_EQ(fit.x(1), 0);
  for (int j = 0; j < 4; ++j) {
    if (fit.at_bound[j]) {
      EXPECT_GE(g(j), -1e-12 * scale) << j;
    } else {
      EXPECT_NEAR(g(j), 0, 1e-10 * scale) << j;
    }
  }
  // Unconstrained, it is ordinary least squares: compare with the normal equations.
  const auto free = planner::bounded_least_squares(A, b, {false, false, false, false});
  const Eigen::VectorXd normal = (A.transpose() * A).inverse() * A.transpose() * b;
  EXPECT_LT((free.x - normal).norm(), 1e-10 * normal.norm());
}

TEST(PlannerLeastSquares, NamesTheColumnsThatDependOnEachOther) {
  Eigen::MatrixXd A(5, 4);
  A << 1, 0, 1, 3, 1, 1, 2, 1, 1, 2, 3, 4, 1, 3, 4, 1, 1, 4, 5, 9;  // column 2 = column 0 + column 1
  EXPECT_EQ(planner::unidentifiable_columns(A), (std::vector<int>{0, 1, 2}));
  A.col(2) << 0, 1, 0, 0, 2;
  EXPECT_TRUE(planner::unidentifiable_columns(A).empty());
}

// Synthetic observations over the proposed calibration, 2% multiplicative noise: every
// coefficient lies within 4 standard errors of its true value. The standard errors are
// the weighted least-squares ones computed here from the true noise level,
// sigma^2 (X^T W X)^-1 with W = 1 / truth^2, by the normal equations (not the fit's
// QR), so the tolerance follows from the noise, not from a chosen number. 4 SE: a
// Gaussian estimate leaves it with probability 6e-5.
//
// The fit's own standard errors and residual estimate the same noise from n - p
// degrees of freedom: s / sigma then has a spread of about 1 / sqrt(2 (n - p)), and the
// rms residual is sigma * sqrt((n - p) / n). Both are checked to 4 such spreads where
// n - p >= 30 (the decode, throughput and memory models; the forward phases have 12
// points for 9 terms, too few to estimate a noise level).
TEST(PlannerFit, RecoversKnownCoefficientsWithinTheNoise) {
  const double sigma = 0.02;
  const auto calib = planner::testing::preset_observations(kPreset, sigma, 1);
  const auto model = planner::fit(calib, here());
  ASSERT_EQ(model.quantities.size(), planner::quantities().size());
  std::printf("%-20s %-26s %10s %10s %8s %8s\n", "quantity", "term", "true", "fitted", "SE", "dev/SE");
  for (const auto& qm : model.quantities) {
    const auto truth = planner::testing::true_coefficients(qm.quantity);
    const auto& terms = planner::terms_for(qm.quantity);
    std::vector<const planner::Observation*> rows;
    for (const auto& o : calib) {
      if (o.workload.quantity == qm.quantity) rows.push_back(&o);
    }
    Eigen::MatrixXd X(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(terms.size()));
    for (size_t i = 0; i < rows.size(); ++i) {
      const double y = planner::testing::true_target(rows[i]->model, rows[i]->workload);
      for (size_t j = 0; j < terms.size(); ++j) {
        X(i, j) =
            planner::testing::true_feature(std::string(terms[j].key), rows[i]->model.layout, rows[i]->workload) / y;
      }
    }
    const Eigen::MatrixXd cov = sigma * sigma * (X.transpose() * X).inverse();
    const double n = double(rows.size()), dof = n - double(terms.size());
    const double spread = 1 / std::sqrt(2 * dof);
    for (size_t j = 0; j < terms.size(); ++j) {
      const auto& c = qm.coefficients[j];
      const double se = std::sqrt(cov(j, j)), a = truth.at(c.term);
      std::printf("%-20s %-26s %10.4g %10.4g %8.2g %8.2f\n", std::string(planner::info(qm.quantity).name).c_str(),
                  c.term.c_str(), a, c.value, se, (c.value - a) / se);
      EXPECT_LE(std::abs(c.value - a), 4 * se) << planner::info(qm.quantity).name << " " << c.term;
      if (dof >= 30 && !c.at_bound) {
        EXPECT_NEAR(c.stderr_value / se, 1.0, 4 * spread) << c.term;
      }
    }
    if (dof >= 30) {
      EXPECT_NEAR(qm.rms_relative_residual / (sigma * std::sqrt(dof / n)), 1.0, 4 * spread)
          << planner::info(qm.quantity).name;
    }
  }
  std::printf("%s", planner::describe(model).c_str());
}

TEST(PlannerFit, RefusesATermNoCalibrationLayoutSeparatesAndSaysWhichLayoutWould) {
  std::mt19937_64 rng(3);
  std::vector<planner::Observation> calib;
  std::vector<std::string> layouts = {"125m:2", "125m:4", "125m:6"};
  std::string last;
  // Add each suggested layout in turn: the refusals must name a new term each time and
  // the suggestions must end in a fit.
  for (int round = 0; round < 4; ++round) {
    calib.clear();
    for (const auto& spec : layouts) {
      for (int64_t batch : {1, 2}) {
        for (int64_t seq : {32, 64, 128}) {
          calib.push_back(planner::testing::observe(shishu::models::resolve_model(spec),
                                                    {Quantity::forward_ms, batch, seq, 0}, 0.01, rng));
        }
      }
    }
    const std::string msg = message_of([&] { planner::fit(calib, here()); });
    if (msg == "(no exception)") break;
    if (round == 0) {
      EXPECT_NE(msg.find("forward_ms: the MLP-only term, per call is not identifiable: every calibration layout has 0 "
                         "MLP-only layers (counted once per parameter set); add e.g. "),
                std::string::npos)
          << msg;
    }
    EXPECT_NE(msg, last) << "the same refusal twice: the suggestion did not help";
    const auto at = msg.find("add e.g. ");
    ASSERT_NE(at, std::string::npos) << msg;
    layouts.push_back("125m:" + msg.substr(at + 9));
    last = msg;
  }
  EXPECT_NO_THROW(planner::fit(calib, here())) << "layouts: " << layouts.size();
  EXPECT_GT(layouts.size(), 3u);
}

TEST(PlannerFit, RefusesAWorkloadAxisTheCalibrationNeverMoves) {
  std::mt19937_64 rng(4);
  std::vector<planner::Observation> calib;
  for (const char* spec : {"125m:2", "125m:6", "125m:2+4", "125m:2+2*2"}) {
    for (int64_t depth : {32, 64, 128, 256}) {  // batch 1 only: per call and per token coincide
      calib.push_back(planner::testing::observe(shishu::models::resolve_model(spec), {Quantity::decode_ms, 1, 1, depth},
                                                0.01, rng));
    }
  }
  const std::string msg = message_of([&] { planner::fit(calib, here()); });
  EXPECT_NE(msg.find("decode_ms: the attention term, per call is not identifiable"), std::string::npos) << msg;
  EXPECT_NE(msg.find("add e.g. the calibration layouts at batch 2"), std::string::npos) << msg;

  calib.resize(3);
  EXPECT_NE(message_of([&] { planner::fit(calib, here()); }).find("3 observations cannot fit its 9 terms"),
            std::string::npos);
}

TEST(PlannerFit, RefusesMixedWidthsAndBadMeasurements) {
  std::mt19937_64 rng(5);
  std::vector<planner::Observation> calib = {
      planner::testing::observe(shishu::models::resolve_model("125m:2"), {Quantity::forward_ms, 1, 32, 0}, 0.01, rng),
      planner::testing::observe(shishu::models::resolve_model("350m:2"), {Quantity::forward_ms, 1, 32, 0}, 0.01, rng)};
  EXPECT_NE(message_of([&] { planner::fit(calib, here()); }).find("has d_model 960"), std::string::npos);
  calib.pop_back();
  calib[0].measured = -1;
  EXPECT_NE(message_of([&] { planner::fit(calib, here()); }).find("measured value must be positive"),
            std::string::npos);
  EXPECT_NE(message_of([&] { planner::fit({}, here()); }).find("none were given"), std::string::npos);
}

TEST(PlannerModelFile, RoundTripsAndRefusesAnotherDeviceOrBuild) {
  const auto calib = planner::testing::preset_observations(kPreset, 0.02, 2);
  const auto model = planner::fit(calib, here());
  const std::string path = testing::TempDir() + "planner-model.json";
  planner::save_model(model, path);
  const auto loaded = planner::load_model(path, here());
  EXPECT_EQ(planner::to_json(loaded), planner::to_json(model));
  EXPECT_EQ(loaded.provenance.context, here().context);
  const auto layout = planner::resolve_layout(loaded, "20+7*2");
  const planner::Workload w{Quantity::decode_ms, 1, 1, 100};
  EXPECT_EQ(planner::predict(loaded, layout, w).value, planner::predict(model, layout, w).value);

  auto other = here();
  other.device = "cuda: NVIDIA H200";
  EXPECT_NE(message_of([&] {
              planner::load_model(path, other);
            }).find("calibrated with device 'cpu: test', but here device is 'cuda: NVIDIA H200'"),
            std::string::npos);
  other = here();
  other.build_commit = "def456";
  EXPECT_NE(message_of([&] { planner::load_model(path, other); }).find("build_commit 'abc123'"), std::string::npos);
  other = here();
  other.dtype = "bf16";
  EXPECT_NE(message_of([&] { planner::load_model(path, other); }).find("with dtype 'fp32'"), std::string::npos);
  std::remove(path.c_str());
}

TEST(PlannerModelFile, RefusesAFileEditedOutOfShape) {
  const auto model = planner::fit(planner::testing::preset_observations(kPreset, 0.02, 2), here());
  const nlohmann::json good = planner::to_json(model);
  const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> cases = {
      {[](auto& j) { j.erase("provenance"); }, "m.json: top level: missing 'provenance'"},
      {[](auto& j) { j["extra"] = 1; }, "top level: unknown field 'extra'"},
      {[](auto& j) { j["version"] = 2; }, "version: 2, this build reads 1"},
      {[](auto& j) { j["quantities"]["decode_ms"]["coefficients"].erase("lm_head.per_row"); },
       "quantities.decode_ms.coefficients: missing 'lm_head.per_row'"},
      {[](auto& j) { j["quantities"]["decode_ms"]["coefficients"]["overhead.per_call"]["unit"] = "s per call"; },
       "quantities.decode_ms.coefficients.overhead.per_call.unit: not 'ms per call'"},
      {[](auto& j) {
         j["quantities"]["decode_ms"]["ranges"]["batch"] = {4, 1};
       },
       "ranges.batch: lo above hi"},
      {[](auto& j) { j["quantities"]["latency"] = j["quantities"]["decode_ms"]; }, "unknown quantity 'latency'"},
      {[](auto& j) { j["calibration_layouts"][0] = "2+7*1"; }, "calibration_layouts[0]: layout '2+7*1'"},
      {[](auto& j) { j["widths"]["d_model"] = "576"; }, "widths.d_model: expected an integer >= 1"},
  };
  EXPECT_NO_THROW(planner::from_json(good, "m.json"));
  for (const auto& [edit, expected] : cases) {
    nlohmann::json j = good;
    edit(j);
    const std::string msg = message_of([&] { planner::from_json(j, "m.json"); });
    EXPECT_NE(msg.find(expected), std::string::npos) << "expected '" << expected << "' in: " << msg;
  }
}
