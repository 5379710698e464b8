// What defines a model: its widths (shared by a family) and its layer layout.
// Everything here is plain data, so the registry, the analytic counts and the
// LibTorch modules all read one description.
#pragma once
#include <cstdint>
#include <string>

#include "models/layout.h"

namespace shishu::models {

struct Widths {
  int d_model = 0;     // embedding / residual width
  int n_heads = 0;     // query heads
  int n_kv_heads = 0;  // key/value heads (grouped-query attention)
  int ffn_hidden = 0;  // SwiGLU hidden width
  int head_dim = 64;
  int vocab = 32000;
};

struct ModelConfig {
  std::string name;  // registry name, or "<base>:<layout>" for a custom layout
  Widths widths;
  Layout layout;
  double rope_theta = 10000.0;
  double norm_eps = 1e-5;
};

// Throws std::invalid_argument naming the bad field if the widths cannot form a model
// (non-positive sizes, heads not a multiple of kv heads).
void validate(const ModelConfig& config);

}  // namespace shishu::models
