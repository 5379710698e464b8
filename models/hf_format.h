// Our models in Hugging Face's terms, torch-free: the config.json beside a checkpoint,
// and the tensor names of HF Llama (LlamaForCausalLM) with their shapes.
//
// Full layer i:      model.layers.{i}.input_layernorm.weight
//                    model.layers.{i}.self_attn.{q,k,v,o}_proj.weight
//                    model.layers.{i}.post_attention_layernorm.weight
//                    model.layers.{i}.mlp.{gate,up,down}_proj.weight
// MLP-only layer i:  model.layers.{i}.post_attention_layernorm.weight (the norm before its MLP)
//                    model.layers.{i}.mlp.{gate,up,down}_proj.weight     (no attention keys)
// Tied MLP-only layers share one parameter set, stored once under the first layer of
// the group; config.json lists the groups ("tied_layers"), since safetensors has no
// aliasing. Always: model.embed_tokens.weight, model.norm.weight; lm_head is tied to
// the embedding and not stored (tie_word_embeddings).
// Our fused QKV and gate/up weights are split into HF's tensors on write and joined on
// read: each HF tensor is a block of rows of one of our parameters.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "models/model_config.h"
#include "models/safetensors.h"

namespace shishu::models {

// One HF tensor: its name, shape, and where its rows sit in our parameter.
struct HfTensor {
  std::string name;            // "model.layers.3.self_attn.k_proj.weight"
  std::vector<int64_t> shape;  // HF's shape, e.g. (KV*D, d)
  std::string ours;            // our parameter's name, e.g. "layer_3.attn.qkv"
  int64_t row_begin = 0;       // first row of `ours` it holds (rows = shape[0])
};

// Every tensor a checkpoint of `config` holds, in a fixed order.
std::vector<HfTensor> hf_tensors(const ModelConfig& config);

// Checks a parsed checkpoint against `config`: every expected key present with its
// shape, nothing unexpected. Throws CheckpointError naming the tensor.
void check_checkpoint(const SafetensorsHeader& header, const ModelConfig& config, const std::string& origin);

// config.json. MobileLLM layouts (no MLP-only layers) are a plain LlamaConfig that
// LlamaForCausalLM.from_pretrained loads as is; ShishuLM layouts add "shishu_layout" and
// "tied_layers" (model_type "shishulm"). `torch_dtype`: "float32", "bfloat16", "float16".
nlohmann::json hf_config_json(const ModelConfig& config, const std::string& torch_dtype,
                              double initializer_range = 0.02);

// The model a config.json describes. Its name is the registry variant or
// "<family>:<layout>" with the same widths, if there is one, else "custom:<layout>".
// Throws CheckpointError naming the field.
ModelConfig model_from_hf_config(const nlohmann::json& config, const std::string& origin);

// A model spec (registry name, <base>:<layout>) or the path of a config.json, or of a
// folder holding one.
ModelConfig resolve_model_or_config(const std::string& spec);

// Where a checkpoint's weights and config are, for PATH a folder (model.safetensors and
// config.json inside) or a .safetensors file (config.json beside it, if any).
struct CheckpointPaths {
  std::string weights, config;  // config empty when there is none
};
CheckpointPaths locate_checkpoint(const std::string& path);

// The model whose weights are at `weights_path` (see locate_checkpoint): from its
// config.json, or from `model_spec` when given (then both must agree), and checked
// against the file's header (keys and shapes). Throws CheckpointError.
ModelConfig config_for_weights(const std::string& weights_path, const std::string& model_spec);

// The first field in which two configs differ ("layout 20+13 vs 30", "ffn_hidden 1536
// vs 2560"), or "" when they describe the same model.
std::string config_difference(const ModelConfig& a, const ModelConfig& b);

}  // namespace shishu::models
