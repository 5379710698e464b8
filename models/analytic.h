// Closed-form sizes of a model, from its config alone: parameters, weight bytes,
// KV-cache bytes and matmul FLOPs. These are the independent references the tests
// check the instantiated modules against, and the predictions reports print beside
// measured figures.
#pragma once
#include <cstdint>

#include "models/model_config.h"

namespace shishu::models {

struct ParamBreakdown {
  int64_t embedding = 0;    // V*d, shared with the output projection
  int64_t final_norm = 0;   // d
  int64_t per_full_layer = 0;  // attention + MLP + two norms
  int64_t per_mlp_set = 0;     // MLP + one norm
  int64_t total = 0;           // shared tensors counted once
};

ParamBreakdown count_params(const ModelConfig& c);

// Bytes of K and V stored per token over all attention layers:
// 2 * full_layers * kv_heads * head_dim * bytes_per_element.
int64_t kv_bytes_per_token(const ModelConfig& c, int bytes_per_element);

int64_t weight_bytes(const ModelConfig& c, int bytes_per_element);

// Matmul FLOPs (2 per multiply-add) of one forward over `new_tokens` query tokens per
// sequence whose keys start at `past` cached tokens, for `batch` sequences. Counts
// every executed projection (a tied MLP executed twice counts twice), the output
// projection only for `logit_positions` positions per sequence, and the two attention
// matmuls over the causal span actually attended. Norms, RoPE and softmax are ignored
// (under 1% at these widths).
double forward_flops(const ModelConfig& c, int64_t batch, int64_t new_tokens, int64_t past,
                     int64_t logit_positions);

// Bytes one single-token decode step must read from memory at least: every executed
// weight (a tied MLP block is read once per use, as an unfused kernel would) plus the
// K/V cache of `cache_len` tokens, for `batch` sequences.
double decode_step_bytes(const ModelConfig& c, int64_t batch, int64_t cache_len, int bytes_per_element);

}  // namespace shishu::models
