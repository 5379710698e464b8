// Preallocated key/value cache: one (B, KV, capacity, D) pair per attention layer and
// nothing for MLP-only layers, which attend to nothing. Allocated once, before timing
// and before CUDA-graph capture, so decode steps never allocate cache memory.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

namespace shishu::models {

struct KvCache {
  std::vector<at::Tensor> keys;    // per attention layer, (B, KV, capacity, D)
  std::vector<at::Tensor> values;  // per attention layer, (B, KV, capacity, D)
  int64_t batch = 0;
  int64_t capacity = 0;

  int64_t bytes() const;  // storage actually allocated
  int attention_layers() const { return static_cast<int>(keys.size()); }
};

KvCache make_kv_cache(int attention_layers, int64_t batch, int64_t kv_heads, int64_t capacity,
                      int64_t head_dim, c10::TensorOptions options);

}  // namespace shishu::models
