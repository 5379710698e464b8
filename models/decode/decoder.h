// The decoder wing: generation behind one interface, one backend per row of backends.h,
// built from the row's step kind and graph policy. The reference model
// (models/transformer.h) stays plain, and every backend runs its one walk; speed lives
// here, and every backend is checked token for token against `eager`
// (tests/test_decoders.cpp).
#pragma once
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>

#include "models/decode/backends.h"
#include "models/generate.h"
#include "models/transformer.h"

namespace shishu::models {

struct DecodeShape {
  int64_t batch = 1, prompt_len = 1, new_tokens = 1;  // prompt (B, P), G new tokens
  int64_t prefill_chunk = 0;  // > 0: the prompt prefilled in chunks of this many tokens
};

// Prepared once per point (caches allocated, graphs captured), then run many times.
class Decoder {
 public:
  virtual ~Decoder() = default;
  // Prefill `prompt` (B, P), then G - 1 greedy decode steps. Marks `observer` at the
  // first token and after each step. Returns the (G, B) int64 tokens on the device; the
  // buffer may be reused by the next call.
  virtual at::Tensor generate(const at::Tensor& prompt, TokenObserver* observer = nullptr) = 0;
  // G greedy decode steps from a cache that already holds positions [0, P) (filled
  // through cache()): feeds `first` (B) at P. Marks `observer` at the start and after
  // each step. Returns the (G, B) int64 tokens on the device, as generate() does.
  virtual at::Tensor decode(const at::Tensor& first, TokenObserver* observer = nullptr) = 0;
  // The static cache of capacity P + G both fill.
  virtual KvCache& cache() = 0;
};

// Throws std::runtime_error where `backend` cannot decode on the model's device
// (backend_unavailable says why).
std::unique_ptr<Decoder> make_decoder(const Backend& backend, Transformer model, const DecodeShape& shape);

}  // namespace shishu::models
