// Parameter counts of every registered variant, from a module instantiated on the meta
// device, against the project's copy of Table 5 and against the closed-form count.
#include <gtest/gtest.h>

#include <set>

#include "data/paper_tables.h"
#include "models/analytic.h"
#include "models/registry.h"
#include "models/transformer.h"

using namespace shishu::models;

namespace {

int64_t instantiated_params(const std::string& name) {
  BuildOptions meta;
  meta.device = c10::Device(c10::DeviceType::Meta);
  return Transformer(resolve_model(name), meta)->unique_parameter_count();
}

int64_t table5(const std::string& row) {
  auto v = shishu::paper::table("table5_architectures.csv").number(row, "params_printed");
  if (!v) throw std::runtime_error("Table 5 has no row " + row);
  return static_cast<int64_t>(*v);
}

}  // namespace

TEST(Registry, HasAllFifteenPaperVariants) {
  const auto rows = shishu::paper::table("table5_architectures.csv").row_keys();
  ASSERT_EQ(rows.size(), 15u);
  for (const auto& row : rows) EXPECT_NE(find_variant(row), nullptr) << row;
}

TEST(Registry, ArchitectureMatchesTable5Columns) {
  const auto& t5 = shishu::paper::table("table5_architectures.csv");
  for (const auto& row : t5.row_keys()) {
    const ModelConfig c = resolve_model(row);
    EXPECT_EQ(c.layout.full_layers, *t5.number(row, "decoder_layers")) << row;
    EXPECT_EQ(c.widths.n_heads, *t5.number(row, "heads")) << row;
    EXPECT_EQ(c.widths.n_kv_heads, *t5.number(row, "kv_heads")) << row;
    EXPECT_EQ(c.widths.d_model, *t5.number(row, "emb_dim")) << row;
    EXPECT_EQ(c.widths.ffn_hidden, *t5.number(row, "hidden_dim")) << row;
    const int unshared = static_cast<int>(*t5.number(row, "mlp_only_layers"));
    const int pairs = static_cast<int>(*t5.number(row, "shared_mlp_pairs"));
    EXPECT_EQ(c.layout.mlp_only_layers(), unshared + 2 * pairs) << row;
    EXPECT_EQ(c.layout.mlp_param_sets(), unshared + pairs) << row;
  }
}

TEST(Registry, InstantiatedCountsMatchClosedForm) {
  for (const auto& v : variants()) {
    EXPECT_EQ(instantiated_params(std::string(v.name)), count_params(resolve_model(v.name)).total) << v.name;
  }
}

TEST(Registry, CountsEqualTable5ExceptTheErrata) {
  const std::set<std::string> errata = {"shishulm-350m-s", "mobilellm-1.5b", "shishulm-1.5b", "shishulm-1.5b-s"};
  for (const auto& v : variants()) {
    const std::string name(v.name);
    if (errata.count(name)) continue;
    EXPECT_EQ(instantiated_params(name), table5(std::string(v.paper_row))) << name;
  }
}

// Erratum 2: the printed 350m-s count is short by one attention sub-layer plus one
// norm, which is what 21+7*2 gives.
TEST(Registry, Erratum350mSharedIsOneAttentionSublayerShort) {
  const auto w = resolve_model("shishulm-350m-s").widths;
  const int64_t attention_and_norm = int64_t{w.d_model} * 64 * (2 * w.n_heads + 2 * w.n_kv_heads) + w.d_model;
  EXPECT_EQ(attention_and_norm, 2458560);
  EXPECT_EQ(instantiated_params("shishulm-350m-s"), 291274560);
  EXPECT_EQ(instantiated_params("shishulm-350m-s") - table5("shishulm-350m-s"), attention_and_norm);
  EXPECT_EQ(resolve_model("shishulm-350m-s-as-counted").layout.to_string(), "21+7*2");
  EXPECT_EQ(instantiated_params("shishulm-350m-s-as-counted"), table5("shishulm-350m-s"));
}

// Erratum 1: the printed 1.5B counts are those of FFN 4532; the canonical names keep
// the printed (and published-checkpoint) width 4352.
TEST(Registry, Erratum1p5bCountsAreThoseOfFfn4532) {
  EXPECT_EQ(resolve_model("mobilellm-1.5b").widths.ffn_hidden, 4352);
  EXPECT_EQ(instantiated_params("mobilellm-1.5b"), 1511188800);
  for (const std::string name : {"mobilellm-1.5b", "shishulm-1.5b", "shishulm-1.5b-s"}) {
    const std::string counted = name + "-as-counted";
    EXPECT_EQ(resolve_model(counted).widths.ffn_hidden, 4532) << counted;
    EXPECT_EQ(instantiated_params(counted), table5(name)) << counted;
    EXPECT_NE(instantiated_params(name), table5(name)) << name;
  }
}

TEST(Registry, KvBytesPerTokenMatchReference) {
  EXPECT_EQ(kv_bytes_per_token(resolve_model("mobilellm-125m"), 2), 23040);
  EXPECT_EQ(kv_bytes_per_token(resolve_model("shishulm-125m"), 2), 15360);
  EXPECT_EQ(kv_bytes_per_token(resolve_model("shishulm-125m-s"), 2), 15360);
}

TEST(Registry, CustomLayoutsOverAnyBase) {
  const ModelConfig a = resolve_model("125m:10+20");
  EXPECT_EQ(a.widths.d_model, 576);
  EXPECT_EQ(a.layout.full_layers, 10);
  const ModelConfig b = resolve_model("mobilellm-350m:21+1+6*2");
  EXPECT_EQ(b.widths.d_model, 960);
  EXPECT_EQ(b.layout.mlp_param_sets(), 7);
}

TEST(Registry, UnknownNamesAreRejectedWithTheKnownOnes) {
  for (const std::string bad : {"mobilellm-7b", "shishulm", "", "900m:10+2"}) {
    try {
      resolve_model(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("known models: mobilellm-125m"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(resolve_model("125m:20+"), LayoutError);
}
