// The decoder wing: generation behind one interface, several backends, keyed by the
// names of backends.h. The reference model (models/transformer.h) stays plain; speed
// lives here, and every backend is checked token for token against `eager`
// (tests/test_decoders.cpp).
#pragma once
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>

#include "models/generate.h"
#include "models/transformer.h"

namespace shishu::models {

struct DecodeShape {
  int64_t batch = 1, prompt_len = 1, new_tokens = 1;  // prompt (B, P), G new tokens
};

// Prepared once per point (caches allocated, graphs captured), then run many times.
class Decoder {
 public:
  virtual ~Decoder() = default;
  // Prefill `prompt` (B, P), then G - 1 greedy decode steps. Marks `observer` at the
  // first token and after each step. Returns the (G, B) int64 tokens on the device; the
  // buffer may be reused by the next call.
  virtual at::Tensor generate(const at::Tensor& prompt, TokenObserver* observer = nullptr) = 0;
};

// Why `backend` cannot decode on `device` ("" when it can).
std::string decoder_unavailable(const std::string& backend, const c10::Device& device);
// Throws std::invalid_argument for an unknown backend, std::runtime_error where it is
// unavailable.
std::unique_ptr<Decoder> make_decoder(const std::string& backend, Transformer model, const DecodeShape& shape);

}  // namespace shishu::models
