#include "models/hf_format.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "models/registry.h"

namespace fs = std::filesystem;

namespace shishu::models {

namespace {

using nlohmann::json;

std::string layer(int i) { return "model.layers." + std::to_string(i) + "."; }

void add_mlp(std::vector<HfTensor>& out, const std::string& prefix, const std::string& ours, const Widths& w) {
  const int64_t d = w.d_model, f = w.ffn_hidden;
  out.push_back({prefix + "post_attention_layernorm.weight", {d}, ours + ".norm.weight", 0});
  out.push_back({prefix + "mlp.gate_proj.weight", {f, d}, ours + ".mlp.gate_up", 0});
  out.push_back({prefix + "mlp.up_proj.weight", {f, d}, ours + ".mlp.gate_up", f});
  out.push_back({prefix + "mlp.down_proj.weight", {d, f}, ours + ".mlp.down", 0});
}

[[noreturn]] void fail(const std::string& origin, const std::string& what) { throw CheckpointError(origin + ": " + what); }

int get_int(const json& c, const char* key, const std::string& origin) {
  if (!c.contains(key) || !c[key].is_number_integer() || c[key].get<int64_t>() <= 0 || c[key].get<int64_t>() > (1 << 24)) {
    fail(origin, std::string("'") + key + "' must be a positive integer");
  }
  return c[key].get<int>();
}

// A string field, or `fallback` when absent; any other type is refused by name.
std::string get_string(const json& c, const char* key, const std::string& fallback, const std::string& origin) {
  if (!c.contains(key) || c[key].is_null()) return fallback;
  if (!c[key].is_string()) fail(origin, std::string("'") + key + "' must be a string, not " + c[key].dump());
  return c[key].get<std::string>();
}

double get_number(const json& c, const char* key, double fallback, const std::string& origin) {
  if (!c.contains(key) || c[key].is_null()) return fallback;
  if (!c[key].is_number() || c[key].get<double>() <= 0) fail(origin, std::string("'") + key + "' must be a positive number");
  return c[key].get<double>();
}

}  // namespace

std::vector<HfTensor> hf_tensors(const ModelConfig& c) {
  const Widths& w = c.widths;
  const int64_t d = w.d_model, q = int64_t(w.n_heads) * w.head_dim, kv = int64_t(w.n_kv_heads) * w.head_dim;
  std::vector<HfTensor> out;
  out.push_back({"model.embed_tokens.weight", {w.vocab, d}, "embedding", 0});
  for (int i = 0; i < c.layout.full_layers; ++i) {
    const std::string p = layer(i), ours = "layer_" + std::to_string(i);
    out.push_back({p + "input_layernorm.weight", {d}, ours + ".attn_norm.weight", 0});
    out.push_back({p + "self_attn.q_proj.weight", {q, d}, ours + ".attn.qkv", 0});
    out.push_back({p + "self_attn.k_proj.weight", {kv, d}, ours + ".attn.qkv", q});
    out.push_back({p + "self_attn.v_proj.weight", {kv, d}, ours + ".attn.qkv", q + kv});
    out.push_back({p + "self_attn.o_proj.weight", {d, q}, ours + ".attn.out", 0});
    add_mlp(out, p, ours + ".mlp", w);
  }
  // Each MLP-only parameter set under the first layer that runs it.
  const std::vector<int> schedule = c.layout.mlp_schedule();
  std::set<int> stored;
  for (size_t k = 0; k < schedule.size(); ++k) {
    if (!stored.insert(schedule[k]).second) continue;
    add_mlp(out, layer(c.layout.full_layers + int(k)), "mlp_set_" + std::to_string(schedule[k]), w);
  }
  out.push_back({"model.norm.weight", {d}, "final_norm.weight", 0});
  return out;
}

void check_checkpoint(const SafetensorsHeader& header, const ModelConfig& config, const std::string& origin) {
  std::set<std::string> expected;
  for (const auto& t : hf_tensors(config)) {
    expected.insert(t.name);
    const StoredTensor* s = header.find(t.name);
    if (!s) fail(origin, "tensor '" + t.name + "' is missing (the model " + config.name + " needs it)");
    if (s->shape != t.shape) {
      auto text = [](const std::vector<int64_t>& v) {
        std::string r = "(";
        for (size_t i = 0; i < v.size(); ++i) r += (i ? ", " : "") + std::to_string(v[i]);
        return r + ")";
      };
      fail(origin, "tensor '" + t.name + "' has shape " + text(s->shape) + "; the model " + config.name +
                       " needs " + text(t.shape));
    }
  }
  for (const auto& s : header.tensors) {
    if (expected.count(s.name)) continue;
    if (s.name == "lm_head.weight") fail(origin, "tensor 'lm_head.weight' is stored, but these models tie it to the embedding");
    fail(origin, "unexpected tensor '" + s.name + "' (not part of the model " + config.name + ")");
  }
}

json hf_config_json(const ModelConfig& c, const std::string& torch_dtype, double initializer_range) {
  const Widths& w = c.widths;
  json j = {{"architectures", {"LlamaForCausalLM"}},
            {"model_type", "llama"},
            {"vocab_size", w.vocab},
            {"hidden_size", w.d_model},
            {"intermediate_size", w.ffn_hidden},
            {"num_hidden_layers", c.layout.total_layers()},
            {"num_attention_heads", w.n_heads},
            {"num_key_value_heads", w.n_kv_heads},
            {"head_dim", w.head_dim},
            {"hidden_act", "silu"},
            {"max_position_embeddings", 4096},
            {"rms_norm_eps", c.norm_eps},
            // transformers 5 reads rope_parameters, 4.x rope_theta: write both.
            {"rope_theta", c.rope_theta},
            {"rope_parameters", {{"rope_type", "default"}, {"rope_theta", c.rope_theta}}},
            {"tie_word_embeddings", true},
            {"attention_bias", false},
            {"mlp_bias", false},
            {"initializer_range", initializer_range},
            {"torch_dtype", torch_dtype},
            {"shishu_model", c.name}};
  if (c.layout.mlp_only_layers() > 0) {
    // Not a Llama any more: LlamaForCausalLM must not load it as one.
    j["architectures"] = {"ShishuLMForCausalLM"};
    j["model_type"] = "shishulm";
    j["shishu_layout"] = c.layout.to_string();
    json groups = json::array();
    const std::vector<int> schedule = c.layout.mlp_schedule();
    std::map<int, std::vector<int>> by_set;
    for (size_t k = 0; k < schedule.size(); ++k) by_set[schedule[k]].push_back(c.layout.full_layers + int(k));
    for (const auto& [set, layers] : by_set) {
      if (layers.size() > 1) groups.push_back(layers);
    }
    j["tied_layers"] = groups;
  }
  return j;
}

ModelConfig model_from_hf_config(const json& j, const std::string& origin) {
  if (!j.is_object()) fail(origin, "config.json is not a JSON object");
  const std::string type = get_string(j, "model_type", "", origin);
  if (type != "llama" && type != "shishulm") fail(origin, "model_type '" + type + "' is neither llama nor shishulm");
  ModelConfig c;
  Widths& w = c.widths;
  w.vocab = get_int(j, "vocab_size", origin);
  w.d_model = get_int(j, "hidden_size", origin);
  w.ffn_hidden = get_int(j, "intermediate_size", origin);
  w.n_heads = get_int(j, "num_attention_heads", origin);
  w.n_kv_heads = j.contains("num_key_value_heads") ? get_int(j, "num_key_value_heads", origin) : w.n_heads;
  w.head_dim = j.contains("head_dim") && !j["head_dim"].is_null() ? get_int(j, "head_dim", origin) : w.d_model / w.n_heads;
  c.norm_eps = get_number(j, "rms_norm_eps", 1e-6, origin);
  c.rope_theta = get_number(j, "rope_theta", 10000.0, origin);
  // transformers 5 keeps RoPE's settings in rope_parameters (4.x: rope_theta and
  // rope_scaling); only the plain rotary embedding is ours.
  for (const char* key : {"rope_parameters", "rope_scaling"}) {
    if (!j.contains(key) || j[key].is_null()) continue;
    if (!j[key].is_object()) fail(origin, std::string("'") + key + "' must be an object");
    const std::string type = get_string(j[key], "rope_type", get_string(j[key], "type", "default", origin), origin);
    if (type != "default") fail(origin, std::string(key) + ": rope_type '" + type + "' is not supported (only default)");
    c.rope_theta = get_number(j[key], "rope_theta", c.rope_theta, origin);
  }
  if (j.contains("tie_word_embeddings") && j["tie_word_embeddings"] != true) {
    fail(origin, "tie_word_embeddings must be true: these models share the embedding with the output projection");
  }
  for (const char* key : {"attention_bias", "mlp_bias"}) {
    if (j.contains(key) && j[key] != false) fail(origin, std::string(key) + " must be false");
  }
  if (j.contains("hidden_act") && j["hidden_act"] != "silu") fail(origin, "hidden_act must be silu");
  const int layers = get_int(j, "num_hidden_layers", origin);
  std::string layout_text = std::to_string(layers);
  if (type == "shishulm") {
    if (!j.contains("shishu_layout") || !j["shishu_layout"].is_string()) fail(origin, "a shishulm config needs 'shishu_layout'");
    layout_text = j["shishu_layout"].get<std::string>();
  }
  try {
    c.layout = parse_layout(layout_text);
  } catch (const LayoutError& e) {
    fail(origin, e.what());
  }
  if (c.layout.total_layers() != layers) {
    fail(origin, "layout " + layout_text + " has " + std::to_string(c.layout.total_layers()) +
                     " layers, num_hidden_layers says " + std::to_string(layers));
  }
  if (type == "shishulm" && j.contains("tied_layers") && j["tied_layers"] != hf_config_json(c, "")["tied_layers"]) {
    fail(origin, "tied_layers does not match layout " + layout_text);
  }
  c.name = "custom:" + c.layout.to_string();
  try {
    validate(c);
  } catch (const std::invalid_argument& e) {
    fail(origin, e.what());
  }
  // Name it after the registry, where a variant or family has these widths.
  for (const auto& v : variants()) {
    ModelConfig r = resolve_model(v.name);
    if (config_difference(r, c).empty()) return r;
  }
  for (const auto& f : families()) {
    ModelConfig r = resolve_model(std::string(f.name) + ":" + c.layout.to_string());
    if (config_difference(r, c).empty()) return r;
  }
  return c;
}

ModelConfig resolve_model_or_config(const std::string& spec) {
  fs::path path(spec);
  std::error_code ec;
  if (fs::is_directory(path, ec)) path /= "config.json";
  if (path.extension() != ".json") return resolve_model(spec);
  std::ifstream in(path);
  if (!in) throw CheckpointError(path.string() + ": cannot be read");
  const json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) throw CheckpointError(path.string() + ": not valid JSON");
  return model_from_hf_config(j, path.string());
}

CheckpointPaths locate_checkpoint(const std::string& path) {
  std::error_code ec;
  CheckpointPaths p;
  if (fs::is_directory(path, ec)) {
    p.weights = (fs::path(path) / "model.safetensors").string();
    if (!fs::exists(p.weights, ec)) throw CheckpointError(path + ": no model.safetensors in this folder");
  } else if (fs::exists(path, ec)) {
    p.weights = path;
  } else {
    throw CheckpointError("--weights '" + path + "': no such file or folder");
  }
  const fs::path config = fs::path(p.weights).parent_path() / "config.json";
  if (fs::exists(config, ec)) p.config = config.string();
  return p;
}

ModelConfig config_for_weights(const std::string& weights_path, const std::string& model_spec) {
  const CheckpointPaths paths = locate_checkpoint(weights_path);
  ModelConfig config;
  if (!paths.config.empty()) {
    config = resolve_model_or_config(paths.config);
    if (!model_spec.empty()) {
      const ModelConfig asked = resolve_model_or_config(model_spec);
      const std::string diff = config_difference(asked, config);
      if (!diff.empty()) {
        throw CheckpointError("model '" + model_spec + "' does not match " + paths.config + ": " + diff);
      }
      config = asked;
    }
  } else if (!model_spec.empty()) {
    config = resolve_model_or_config(model_spec);
  } else {
    throw CheckpointError(paths.weights + ": no config.json beside it; name the model with --model/--models");
  }
  check_checkpoint(read_safetensors_header(paths.weights), config, paths.weights);
  return config;
}

std::string config_difference(const ModelConfig& a, const ModelConfig& b) {
  auto diff = [](const char* field, auto x, auto y) {
    return x == y ? std::string() : std::string(field) + " " + std::to_string(x) + " vs " + std::to_string(y);
  };
  if (a.layout.to_string() != b.layout.to_string()) return "layout " + a.layout.to_string() + " vs " + b.layout.to_string();
  for (const std::string& d :
       {diff("d_model", a.widths.d_model, b.widths.d_model), diff("n_heads", a.widths.n_heads, b.widths.n_heads),
        diff("n_kv_heads", a.widths.n_kv_heads, b.widths.n_kv_heads),
        diff("ffn_hidden", a.widths.ffn_hidden, b.widths.ffn_hidden), diff("head_dim", a.widths.head_dim, b.widths.head_dim),
        diff("vocab", a.widths.vocab, b.widths.vocab), diff("rope_theta", a.rope_theta, b.rope_theta),
        diff("norm_eps", a.norm_eps, b.norm_eps)}) {
    if (!d.empty()) return d;
  }
  return "";
}

}  // namespace shishu::models
