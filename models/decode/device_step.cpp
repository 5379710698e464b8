#include "models/decode/device_step.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "models/decode/device_positions.h"
#include "profiles/range.h"

#ifdef SHISHU_HAS_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace shishu::models {
namespace {

class StepDecoder : public Decoder {
 public:
  StepDecoder(Transformer model, const DecodeShape& shape, RotaryForm rotary)
      : model_(std::move(model)),
        shape_(shape),
        cache_(model_->make_cache(shape.batch, shape.prompt_len + shape.new_tokens)) {
    const auto i64 = at::TensorOptions().dtype(at::kLong).device(model_->options().device);
    generated_ = at::zeros({shape.new_tokens, shape.batch}, i64);
    position_ = at::full({1}, shape.prompt_len, i64);
    row_ = at::ones({1}, i64);
    token_ = at::zeros({shape.batch, 1}, i64);
    const auto& c = model_->config();
    positions_ = std::make_unique<DevicePositions>(
        cache_, position_, RotaryTable(c.widths.head_dim, c.rope_theta, model_->tensor_options()), rotary);
  }

  at::Tensor generate(const at::Tensor& prompt, TokenObserver* observer) override {
    TORCH_CHECK(prompt.size(0) == shape_.batch && prompt.size(1) == shape_.prompt_len, "prompt shape ", prompt.sizes(),
                " does not match the decoder's (", shape_.batch, ", ", shape_.prompt_len, ")");
    if (observer) observer->on_start();
    at::Tensor first = generated_.select(0, 0);  // (B)
    prefill_first_token(model_, prompt, cache_, first, shape_.prefill_chunk);
    token_.copy_(first.view({shape_.batch, 1}));
    position_.fill_(shape_.prompt_len);
    row_.fill_(1);
    if (observer) observer->on_token(0);
    for (int64_t i = 1; i < shape_.new_tokens; ++i) {
      profiles::ScopedRange range(profiles::kDecodeStepRange);
      run_step();
      if (observer) observer->on_token(i);
    }
    return generated_;
  }

  at::Tensor decode(const at::Tensor& first, TokenObserver* observer) override {
    if (observer) observer->on_start();
    token_.copy_(first.view({shape_.batch, 1}));
    position_.fill_(shape_.prompt_len);
    row_.fill_(0);
    for (int64_t i = 0; i < shape_.new_tokens; ++i) {
      profiles::ScopedRange range(profiles::kDecodeStepRange);
      run_step();
      if (observer) observer->on_token(i);
    }
    return generated_;
  }

  KvCache& cache() override { return cache_; }

  // Captures step() in a CUDA graph; run_step() replays it from then on.
  void capture();

 private:
  void run_step() {
#ifdef SHISHU_HAS_CUDA
    if (graph_) {
      graph_->replay();
      return;
    }
#endif
    step();
  }

  // One decode step: the model's own walk over the fed token. Every tensor it reads or
  // writes outside the walk is allocated up front, and its inputs (token_, position_,
  // row_) live on the device.
  void step() {
    positions_->begin_step();
    const at::Tensor logits = model_->forward(token_, *positions_, 1);  // (B, 1, V)
    const at::Tensor next = logits.view({shape_.batch, -1}).argmax(-1);  // (B)
    generated_.index_copy_(0, row_, next.view({1, shape_.batch}));
    token_.copy_(next.view({shape_.batch, 1}));
    position_.add_(1);
    row_.add_(1);
  }

  Transformer model_;
  DecodeShape shape_;
  KvCache cache_;
  at::Tensor generated_;       // (G, B) int64
  at::Tensor position_, row_;  // (1,) int64: the fed token's position, the output row
  at::Tensor token_;           // (B, 1) int64: the token being fed
  std::unique_ptr<DevicePositions> positions_;
#ifdef SHISHU_HAS_CUDA
  std::unique_ptr<at::cuda::CUDAGraph> graph_;
#endif
};

#ifdef SHISHU_HAS_CUDA
void StepDecoder::capture() {
  const c10::Device device = model_->options().device;
  c10::cuda::CUDAGuard device_guard(device);
  // Capture must run off the legacy default stream. Warm-up steps on the same side
  // stream first let cuBLAS create its workspace and the allocator fill its pool,
  // neither of which may happen during capture. They scribble on cache rows at and
  // after the prompt, which every generate() overwrites before reading.
  c10::cuda::CUDAStream stream = c10::cuda::getStreamFromPool();
  stream.synchronize();
  c10::cuda::getCurrentCUDAStream().synchronize();
  graph_ = std::make_unique<at::cuda::CUDAGraph>();
  {
    c10::cuda::CUDAStreamGuard stream_guard(stream);
    for (int i = 0; i < 2; ++i) {
      position_.fill_(shape_.prompt_len);
      row_.fill_(1);
      step();
    }
    stream.synchronize();
    position_.fill_(shape_.prompt_len);
    row_.fill_(1);
    graph_->capture_begin();
    step();
    graph_->capture_end();
  }
  stream.synchronize();
}
#else
void StepDecoder::capture() { throw std::runtime_error("CUDA graphs need a LibTorch with CUDA; this build has none"); }
#endif

}  // namespace

std::unique_ptr<Decoder> make_step_decoder(Transformer model, const DecodeShape& shape, RotaryForm rotary, bool graph) {
  const c10::Device device = model->options().device;
  if (graph && !device.is_cuda()) throw std::runtime_error("CUDA graphs need a CUDA device, the model is on " + device.str());
  auto decoder = std::make_unique<StepDecoder>(std::move(model), shape, rotary);
  if (graph) decoder->capture();
  return decoder;
}

}  // namespace shishu::models
