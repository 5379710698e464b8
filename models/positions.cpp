#include "models/positions.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace shishu::models {

at::Tensor block_causal_mask(int64_t new_tokens, int64_t past, c10::Device device) {
  auto opts = at::TensorOptions().dtype(at::kLong).device(device);
  at::Tensor query_pos = at::arange(past, past + new_tokens, opts).unsqueeze(1);  // (T, 1)
  at::Tensor key_pos = at::arange(past + new_tokens, opts).unsqueeze(0);          // (1, S)
  return key_pos <= query_pos;                                                    // (T, S)
}

namespace {

// At depth, one query row per KV group leaves the CPU's flash kernel B x KV work items,
// one core's stream each: with 3 KV heads on 2 cores one core reads two thirds of the
// cache at the ~7 GB/s a single core reaches, while the two together read 20
// (reports/PERFORMANCE.md, "Long context"). Splitting the cache into parts gives every
// core items to stream. None below 1024 keys, where the kernel is not bound by it.
constexpr int64_t kSplitFromKeys = 1024, kKeysPerPart = 512, kItemsPerThread = 4;

int64_t cache_parts(int64_t items, int64_t keys, const c10::Device& device) {
  if (!device.is_cpu() || keys < kSplitFromKeys) return 1;
  const int64_t wanted = (kItemsPerThread * at::get_num_threads() + items - 1) / items;
  return std::max<int64_t>(1, std::min(wanted, keys / kKeysPerPart));
}

// Attention of grouped (B, KV, G, D) over keys and values (B, KV, S, D) split along the
// cache into `parts` (flash-decoding, with ATen's own CPU flash kernel on each): every
// part's output and log-sum-exp, then the outputs weighted by the softmax of the
// log-sum-exps, which is the attention over the whole cache. The parts are a view of the
// cache (the parts as the batch), never a copy. `mask`: boolean, broadcastable to
// (1, 1, 1, S).
at::Tensor split_cache_attention(const at::Tensor& grouped, const at::Tensor& keys, const at::Tensor& values,
                                 const std::optional<at::Tensor>& mask, int64_t parts) {
  const int64_t batch = grouped.size(0), keys_n = keys.size(2), length = keys_n / parts;
  std::vector<at::Tensor> outs, lses;
  // `n` parts of `len` keys from `start`: (B, n, KV, G, D) outputs and (B, n, KV, G) log-sum-exps.
  auto part = [&](int64_t start, int64_t n, int64_t len) {
    auto as_parts = [&](const at::Tensor& t) {  // (B, KV, n*len, D) -> (B*n, KV, len, D)
      return t.narrow(2, start, n * len).unflatten(2, {n, len}).permute({0, 2, 1, 3, 4}).flatten(0, 1);
    };
    const at::Tensor q = grouped.unsqueeze(1).expand({batch, n, -1, -1, -1}).flatten(0, 1);  // (B*n, KV, G, D)
    std::optional<at::Tensor> additive;
    at::Tensor m;  // (1, n, 1, 1, len) attendable keys
    if (mask) {  // (1, 1, 1, S) -> (B*n, 1, 1, len), 0 where attendable and -inf elsewhere
      m = mask->reshape({1, -1}).narrow(1, start, n * len).reshape({1, n, 1, 1, len});
      additive = at::zeros(m.sizes(), grouped.options()).masked_fill_(m.logical_not(), -INFINITY)
                     .expand({batch, n, 1, 1, len}).flatten(0, 1);
    }
    auto [o, lse] = at::_scaled_dot_product_flash_attention_for_cpu(q, as_parts(keys), as_parts(values), 0.0, false,
                                                                    additive);
    at::Tensor part_lse = lse.unflatten(0, {batch, n});  // (B, n, KV, G)
    // The kernel gives a part the mask hides whole a log-sum-exp of 0, as if it held
    // mass: it holds none, -inf.
    if (mask) part_lse = part_lse.masked_fill(m.any(-1).view({1, n, 1, 1}).logical_not(), -INFINITY);
    outs.push_back(o.unflatten(0, {batch, n}));
    lses.push_back(part_lse);
  };
  part(0, parts, length);
  if (parts * length < keys_n) part(parts * length, 1, keys_n - parts * length);
  const at::Tensor lse = at::cat(lses, 1);                            // (B, P, KV, G), fp32
  const at::Tensor weight = at::softmax(lse, 1).unsqueeze(-1);        // (B, P, KV, G, 1)
  const at::Tensor o = at::cat(outs, 1).to(at::kFloat);             // (B, P, KV, G, D)
  return (o * weight).sum(1).to(grouped.scalar_type());              // (B, KV, G, D)
}

}  // namespace

// One query token per sequence against a cache: fold the query heads that share a KV
// head into the query-length axis, (B, H, 1, D) -> (B, KV, H/KV, D). All of them sit
// at the same position, so one key mask serves every row and K/V are read once,
// never expanded to H heads.
at::Tensor single_token_attention(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                                  const std::optional<at::Tensor>& mask) {
  const int64_t batch = q.size(0), heads = q.size(1), dim = q.size(3), kv_heads = keys.size(1);
  at::Tensor grouped = q.reshape({batch, kv_heads, heads / kv_heads, dim});
  const int64_t parts = cache_parts(batch * kv_heads, keys.size(2), keys.device());
  at::Tensor o = parts > 1 ? split_cache_attention(grouped, keys, values, mask, parts)
                           : at::scaled_dot_product_attention(grouped, keys, values, mask);  // (B, KV, H/KV, D)
  return o.reshape({batch, heads, 1, dim});
}

namespace {

// Plain causal attention over the new tokens alone; enable_gqa lets SDPA read each KV
// head once for its group of query heads, and keeps the flash kernels eligible.
at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  return at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true, {}, /*enable_gqa=*/true);
}

// A block of T queries at [past, past + T) after `past` cached keys, on the CPU, without
// the (T, past + T) mask a single call needs: that mask, and the float copy the kernel
// makes of it, grow with the context (384 MB at a 2048-token chunk over 32k keys in
// fp32), while a chunked prefill is meant to hold a chunk's worth. Two calls of ATen's
// CPU flash kernel instead, each with its log-sum-exp: every query against all the
// cached keys (nothing masked; the query heads of a KV group folded into the length),
// and the block against itself, causally; then each output weighted by the softmax of
// the two log-sum-exps, which is attention over the whole.
//   q (B, H, T, D); k, v (B, KV, T, D) the block's own; cached_k, cached_v (B, KV, past, D)
at::Tensor block_after_cache(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                             const at::Tensor& cached_k, const at::Tensor& cached_v) {
  const int64_t batch = q.size(0), heads = q.size(1), tokens = q.size(2), dim = q.size(3);
  const int64_t kv_heads = k.size(1), group = heads / kv_heads;
  const at::Tensor folded = q.reshape({batch, kv_heads, group * tokens, dim});  // (B, KV, G*T, D)
  auto [o_past, lse_past] = at::_scaled_dot_product_flash_attention_for_cpu(folded, cached_k, cached_v);
  auto [o_self, lse_self] = at::_scaled_dot_product_flash_attention_for_cpu(
      q, k.repeat_interleave(group, 1), v.repeat_interleave(group, 1), 0.0, /*is_causal=*/true);  // (B, H, T, D)
  const at::Tensor lse = at::stack({lse_past.reshape({batch, heads, tokens}), lse_self}, 0);  // (2, B, H, T), fp32
  const at::Tensor weight = at::softmax(lse, 0).unsqueeze(-1);                                 // (2, B, H, T, 1)
  const at::Tensor o = at::stack({o_past.reshape({batch, heads, tokens, dim}), o_self}, 0).to(at::kFloat);
  return (o * weight).sum(0).to(q.scalar_type());  // (B, H, T, D)
}

}  // namespace

at::Tensor NoCache::attend(int, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  return causal_attention(q, k, v);
}

at::Tensor HostPositions::attend(int layer, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  const int64_t tokens = q.size(2);
  cache_.keys[layer].narrow(2, past_, tokens).copy_(k);
  cache_.values[layer].narrow(2, past_, tokens).copy_(v);
  // A prompt into an empty cache attends only to itself.
  if (past_ == 0) return causal_attention(q, k, v);
  const at::Tensor keys = cache_.keys[layer].narrow(2, 0, past_ + tokens);      // (B, KV, S, D)
  const at::Tensor values = cache_.values[layer].narrow(2, 0, past_ + tokens);  // (B, KV, S, D)
  if (tokens == 1) return single_token_attention(q, keys, values, std::nullopt);
  if (q.device().is_cpu()) return block_after_cache(q, k, v, keys.narrow(2, 0, past_), values.narrow(2, 0, past_));
  // is_causal would align the mask top-left (query i sees keys <= i), which is wrong for
  // a block that starts after `past` cached tokens.
  const at::Tensor mask = block_causal_mask(tokens, past_, q.device());
  return at::scaled_dot_product_attention(q, keys, values, mask, 0.0, false, {}, true);
}

}  // namespace shishu::models
