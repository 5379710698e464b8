#include "models/kv_cache.h"

#include <ATen/ATen.h>

namespace shishu::models {

int64_t KvCache::bytes() const {
  int64_t total = 0;
  for (const auto& t : keys) total += t.nbytes();
  for (const auto& t : values) total += t.nbytes();
  return total;
}

KvCache make_kv_cache(int attention_layers, int64_t batch, int64_t kv_heads, int64_t capacity,
                      int64_t head_dim, c10::TensorOptions options) {
  KvCache cache;
  cache.batch = batch;
  cache.capacity = capacity;
  for (int i = 0; i < attention_layers; ++i) {
    // Zeros, not empty: graph-mode decode attends the whole capacity under a mask, and
    // masked garbage could still be NaN/Inf, which poisons softmax through 0 * Inf.
    cache.keys.push_back(at::zeros({batch, kv_heads, capacity, head_dim}, options));
    cache.values.push_back(at::zeros({batch, kv_heads, capacity, head_dim}, options));
  }
  return cache;
}

}  // namespace shishu::models
