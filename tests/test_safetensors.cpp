// The safetensors format and the Hugging Face naming, torch-free: hand-built files
// checked against the format's rules, and tensor lists checked against the analytic
// parameter counts.
#include <gtest/gtest.h>

#include <numeric>

#include "models/analytic.h"
#include "models/hf_format.h"
#include "models/registry.h"
#include "models/safetensors.h"

using namespace shishu::models;

namespace {

// A file: the 8-byte length, the header text as given, then `buffer` bytes.
std::string file_with(const std::string& header, size_t buffer) {
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i, n >>= 8) out[i] = static_cast<char>(n & 0xff);
  return out + header + std::string(buffer, 'x');
}

void expect_refused(const std::string& bytes, const std::string& reason) {
  try {
    parse_safetensors_header(bytes, bytes.size(), "f.safetensors");
    ADD_FAILURE() << "accepted a file that should fail with: " << reason;
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("f.safetensors"), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(Safetensors, ReadsAValidHeader) {
  const std::string bytes = file_with(
      R"({"__metadata__":{"format":"pt"},"b":{"dtype":"BF16","shape":[3],"data_offsets":[8,14]},)"
      R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
      14);
  const SafetensorsHeader h = parse_safetensors_header(bytes, bytes.size(), "f");
  ASSERT_EQ(h.tensors.size(), 2u);
  EXPECT_EQ(h.tensors[0].name, "a");  // buffer order
  EXPECT_EQ(h.tensors[1].dtype, StoredDtype::kBF16);
  EXPECT_EQ(h.metadata.at("format"), "pt");
  EXPECT_EQ(h.buffer_offset, bytes.size() - 14);
}

TEST(Safetensors, RefusesEveryMalformedFile) {
  const std::string t = R"("t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  expect_refused("1234", "too short");
  expect_refused(file_with("{" + t + "}", 8).substr(0, 20), "truncated");
  expect_refused(file_with("{" + t + "}", 4), "reaches byte 8 of a 4-byte buffer");
  expect_refused(file_with("not json", 0), "not valid JSON");
  expect_refused(file_with("[]", 0), "not a JSON object");
  expect_refused(file_with(R"({"t":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}})", 2), "dtype 'I8'");
  expect_refused(file_with(R"({"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8), "not a size");
  expect_refused(file_with(R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), "8 bytes for 3 F32");
  expect_refused(file_with(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8), "end before");
  expect_refused(file_with(R"({"t":{"dtype":"F32","shape":[2]}})", 8), "needs dtype, shape and data_offsets");
  expect_refused(file_with(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12),
                 "overlaps");
  expect_refused(file_with(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8), "hole of 4 bytes");
  expect_refused(file_with("{" + t + "}", 12), "4 bytes after the last tensor");
  std::string huge(8, '\xff');
  expect_refused(huge + "{}", "implausible");
}

TEST(Safetensors, WrittenHeadersParseBackAligned) {
  std::vector<StoredTensor> tensors = {{"w", StoredDtype::kF16, {3, 5}, 0, 0}, {"n", StoredDtype::kF32, {7}, 0, 0}};
  const std::string head = make_safetensors_header(tensors, {{"k", "v"}});
  EXPECT_EQ(head.size() % 8, 0u);
  const std::string bytes = head + std::string(3 * 5 * 2 + 7 * 4, '\0');
  const SafetensorsHeader h = parse_safetensors_header(bytes, bytes.size(), "w");
  ASSERT_EQ(h.tensors.size(), 2u);
  EXPECT_EQ(h.tensors[0].end, 30u);
  EXPECT_EQ(h.tensors[1].shape, std::vector<int64_t>{7});
  EXPECT_EQ(h.metadata.at("k"), "v");
}

// Each HF tensor list holds exactly the model's parameters: its sizes add up to the
// analytic count (tied sets and the tied lm_head stored once), and names are unique.
TEST(HfFormat, TensorsAddUpToTheAnalyticParameterCount) {
  for (const auto& v : variants()) {
    const ModelConfig c = resolve_model(v.name);
    const auto tensors = hf_tensors(c);
    int64_t total = 0;
    std::set<std::string> names;
    for (const auto& t : tensors) {
      total += std::accumulate(t.shape.begin(), t.shape.end(), int64_t{1}, std::multiplies<>());
      names.insert(t.name);
    }
    EXPECT_EQ(total, count_params(c).total) << v.name;
    EXPECT_EQ(names.size(), tensors.size()) << v.name;
    EXPECT_EQ(tensors.size(), 2 + 9 * size_t(c.layout.full_layers) + 4 * size_t(c.layout.mlp_param_sets())) << v.name;
  }
}

TEST(HfFormat, ConfigJsonRoundTripsEveryVariant) {
  for (const auto& v : variants()) {
    const ModelConfig c = resolve_model(v.name);
    const ModelConfig back = model_from_hf_config(hf_config_json(c, "bfloat16"), "config.json");
    EXPECT_EQ(config_difference(c, back), "") << v.name;
    EXPECT_EQ(back.name, v.name);
  }
  // A layout no variant has is named after its family.
  EXPECT_EQ(model_from_hf_config(hf_config_json(resolve_model("350m:10+3*2"), "float32"), "c").name, "350m:10+3*2");
  // Tied groups are listed, since safetensors cannot alias.
  EXPECT_EQ(hf_config_json(resolve_model("shishulm-125m-s"), "float32")["tied_layers"][0], nlohmann::json({20, 21}));
}

TEST(HfFormat, RefusesConfigsThatAreNotOurModels) {
  const nlohmann::json good = hf_config_json(resolve_model("mobilellm-125m"), "float32");
  const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> cases = {
      {[](auto& j) { j["model_type"] = "mistral"; }, "model_type 'mistral'"},
      // Found by fuzzing (tests/fuzz): a non-string model_type threw nlohmann's type_error.
      {[](auto& j) { j["model_type"] = true; }, "'model_type' must be a string, not true"},
      {[](auto& j) { j["rope_parameters"]["rope_type"] = 3; }, "'rope_type' must be a string, not 3"},
      {[](auto& j) { j["tie_word_embeddings"] = false; }, "tie_word_embeddings must be true"},
      {[](auto& j) { j["rope_parameters"]["rope_type"] = "linear"; }, "rope_type 'linear'"},
      {[](auto& j) { j["hidden_size"] = -1; }, "'hidden_size' must be a positive integer"},
      {[](auto& j) { j["num_key_value_heads"] = 4; }, "multiple of n_kv_heads"},
      {[](auto& j) { j["attention_bias"] = true; }, "attention_bias must be false"},
      {[](auto& j) { j["model_type"] = "shishulm"; j["shishu_layout"] = "20+13"; }, "has 33 layers"},
  };
  for (const auto& [mutate, reason] : cases) {
    nlohmann::json j = good;
    mutate(j);
    try {
      model_from_hf_config(j, "config.json");
      ADD_FAILURE() << "accepted: " << reason;
    } catch (const CheckpointError& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    }
  }
}

TEST(HfFormat, ChecksKeysAndShapesAgainstTheModel) {
  const ModelConfig c = resolve_model("125m:1");
  std::vector<StoredTensor> stored;
  for (const auto& t : hf_tensors(c)) stored.push_back({t.name, StoredDtype::kBF16, t.shape, 0, 0});
  auto header_of = [](std::vector<StoredTensor> s) {
    SafetensorsHeader h;
    h.tensors = std::move(s);
    return h;
  };
  EXPECT_NO_THROW(check_checkpoint(header_of(stored), c, "f"));
  auto missing = stored;
  missing.erase(missing.begin() + 3);
  EXPECT_THROW(check_checkpoint(header_of(missing), c, "f"), CheckpointError);
  auto extra = stored;
  extra.push_back({"lm_head.weight", StoredDtype::kBF16, {32000, 576}, 0, 0});
  try {
    check_checkpoint(header_of(extra), c, "f");
    ADD_FAILURE();
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("lm_head.weight"), std::string::npos);
  }
  auto reshaped = stored;
  reshaped[2].shape = {64, 576};
  try {
    check_checkpoint(header_of(reshaped), c, "f");
    ADD_FAILURE();
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("has shape (64, 576)"), std::string::npos) << e.what();
  }
}
