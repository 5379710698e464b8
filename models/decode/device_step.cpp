#include "models/decode/device_step.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "models/attention.h"
#include "models/rope.h"
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
  StepDecoder(Transformer model, const DecodeShape& shape, StepKind kind)
      : model_(std::move(model)),
        shape_(shape),
        kind_(kind),
        cache_(model_->make_cache(shape.batch, shape.prompt_len + shape.new_tokens)),
        schedule_(model_->config().layout.mlp_schedule()) {
    const c10::Device device = model_->options().device;
    const auto i64 = at::TensorOptions().dtype(at::kLong).device(device);
    const int64_t capacity = cache_.capacity;
    generated_ = at::zeros({shape.new_tokens, shape.batch}, i64);
    position_ = at::full({1}, shape.prompt_len, i64);
    row_ = at::ones({1}, i64);
    key_index_ = at::arange(capacity, i64).view({1, 1, 1, capacity});
    mask_ = at::zeros({1, 1, 1, capacity}, i64.dtype(at::kBool));
    token_ = at::zeros({shape.batch, 1}, i64);
    // Every position's rows exist before any capture: a graph reads them by address (the
    // views keep the table's storage alive).
    RotaryTable rotary(model_->config().widths.head_dim, model_->config().rope_theta, model_->tensor_options());
    std::tie(cos_, sin_) = rotary.range(0, capacity);  // (capacity, D)
    const int64_t half = cos_.size(1) / 2;
    sin_signed_ = sin_.clone();
    sin_signed_.narrow(1, 0, half).neg_();  // rotate_half's sign, folded into sin
  }

  at::Tensor generate(const at::Tensor& prompt, TokenObserver* observer) override {
    TORCH_CHECK(prompt.size(0) == shape_.batch && prompt.size(1) == shape_.prompt_len, "prompt shape ", prompt.sizes(),
                " does not match the decoder's (", shape_.batch, ", ", shape_.prompt_len, ")");
    if (observer) observer->on_start();
    at::Tensor first = generated_.select(0, 0);  // (B)
    prefill_first_token(model_, prompt, cache_, first);
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

  // One decode step: every tensor it reads or writes is allocated up front, and its
  // inputs (token_, position_, row_) live on the device.
  void step() {
    at::le_out(mask_, key_index_, position_);  // keys 0..position are attendable
    const at::Tensor cos = cos_.index_select(0, position_);  // (1, D)
    const at::Tensor sin = (kind_ == StepKind::kFast ? sin_signed_ : sin_).index_select(0, position_);
    at::Tensor h = at::embedding(model_->embedding, token_);  // (B, 1, d)
    for (size_t i = 0; i < model_->layers.size(); ++i) {
      profiles::ScopedRange range(profiles::kAttentionLayerRange);
      auto& layer = model_->layers[i];
      h = h + attend(*layer->attn, layer->attn_norm(h), cos, sin, cache_.keys[i], cache_.values[i]);
      h = layer->mlp(h);
    }
    for (int set : schedule_) {
      profiles::ScopedRange range(profiles::kMlpOnlyLayerRange);
      h = model_->mlp_sets[set]->forward(h);
    }
    const at::Tensor logits = at::linear(model_->final_norm(h), model_->embedding);  // (B, 1, V)
    const at::Tensor next = logits.view({shape_.batch, -1}).argmax(-1);              // (B)
    generated_.index_copy_(0, row_, next.view({1, shape_.batch}));
    token_.copy_(next.view({shape_.batch, 1}));
    position_.add_(1);
    row_.add_(1);
  }

  // x (B, 1, d) -> (B, 1, d); writes this token's K/V at position_.
  at::Tensor attend(AttentionImpl& a, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                    at::Tensor& keys, at::Tensor& values) {
    const auto& w = model_->config().widths;
    const int64_t batch = x.size(0), heads = w.n_heads, kv = w.n_kv_heads, dim = w.head_dim;
    const at::Tensor proj = at::linear(x, a.qkv);  // (B, 1, (H + 2KV) D)
    at::Tensor q, k;
    if (kind_ == StepKind::kFast) {
      const at::Tensor qk = proj.narrow(-1, 0, (heads + kv) * dim).view({batch, heads + kv, dim});  // (B, H+KV, D)
      const at::Tensor rotated = at::addcmul(qk * cos, at::roll(qk, {dim / 2}, {-1}), sin);         // (B, H+KV, D)
      q = rotated.narrow(1, 0, heads).unsqueeze(2);                                                  // (B, H, 1, D)
      k = rotated.narrow(1, heads, kv).unsqueeze(2);                                                 // (B, KV, 1, D)
    } else {
      auto split = [&](int64_t offset, int64_t n) { return proj.narrow(-1, offset, n * dim).view({batch, 1, n, dim}).transpose(1, 2); };
      q = apply_rotary(split(0, heads), cos, sin);   // (B, H, 1, D)
      k = apply_rotary(split(heads * dim, kv), cos, sin);  // (B, KV, 1, D)
    }
    const at::Tensor v = proj.narrow(-1, (heads + kv) * dim, kv * dim).view({batch, 1, kv, dim}).transpose(1, 2);
    keys.index_copy_(2, position_, k);
    values.index_copy_(2, position_, v);
    const at::Tensor o = single_token_attention(q, keys, values, mask_);  // (B, H, 1, D)
    return at::linear(o.transpose(1, 2).reshape({batch, 1, heads * dim}), a.out);
  }

  Transformer model_;
  DecodeShape shape_;
  StepKind kind_;
  KvCache cache_;
  std::vector<int> schedule_;  // MLP-only layer -> parameter set
  at::Tensor generated_;       // (G, B) int64
  at::Tensor position_, row_;  // (1,) int64: the fed token's position, the output row
  at::Tensor key_index_, mask_;  // (1, 1, 1, capacity): 0..capacity-1, and keys <= position
  at::Tensor token_;           // (B, 1) int64: the token being fed
  at::Tensor cos_, sin_, sin_signed_;  // (capacity, D)
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

std::unique_ptr<Decoder> make_step_decoder(Transformer model, const DecodeShape& shape, StepKind kind, bool graph) {
  const c10::Device device = model->options().device;
  if (graph && !device.is_cuda()) throw std::runtime_error("CUDA graphs need a CUDA device, the model is on " + device.str());
  auto decoder = std::make_unique<StepDecoder>(std::move(model), shape, kind);
  if (graph) decoder->capture();
  return decoder;
}

}  // namespace shishu::models
