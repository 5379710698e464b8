// Decode steps replayed from a CUDA graph: each token costs one graph launch instead
// of one launch per kernel, which removes the CPU launch overhead that dominates
// small-model decoding. The captured step reads the current token and position from
// device buffers, writes the next token into the output row and advances the
// position, so replay needs no host input at all.
//
// Only meaningful on CUDA; on a CPU-only build or device, construction throws
// std::runtime_error so callers can record a skip.
#pragma once
#include <ATen/core/Tensor.h>

#include <memory>

#include "models/generate.h"

namespace shishu::models {

class CudaGraphDecoder {
 public:
  // Captures one decode step for this model, cache, prompt length and token count.
  // The cache must stay alive and in place while the decoder is used.
  CudaGraphDecoder(Transformer model, KvCache& cache, int64_t prompt_len, int64_t new_tokens);
  ~CudaGraphDecoder();
  CudaGraphDecoder(const CudaGraphDecoder&) = delete;
  CudaGraphDecoder& operator=(const CudaGraphDecoder&) = delete;

  // Eager prefill, then G-1 graph replays. prompt (B, P). Returns (G, B) tokens; the
  // buffer is reused by the next call.
  at::Tensor generate(const at::Tensor& prompt, TokenObserver* observer = nullptr);

  static bool supported(c10::Device device);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace shishu::models
