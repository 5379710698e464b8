#include "models/cuda_graph_decoder.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "profiles/range.h"

#ifdef SHISHU_HAS_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace shishu::models {

#ifdef SHISHU_HAS_CUDA

struct CudaGraphDecoder::State {
  Transformer model{nullptr};
  KvCache* cache;
  int64_t prompt_len, new_tokens, batch;
  at::Tensor generated;  // (G, B) int64 output
  at::Tensor position;   // (1,) int64: position of the token being fed
  at::Tensor row;        // (1,) int64: output row the step writes
  at::Tensor key_index;  // (capacity) int64: 0..capacity-1
  at::Tensor mask;       // (1, 1, 1, capacity) bool
  at::Tensor token;      // (B, 1) int64: token being fed
  // The rotary tables the graph was captured against: held so that a later growth of
  // the model's table cannot free memory the graph still reads.
  std::pair<at::Tensor, at::Tensor> rotary;
  at::cuda::CUDAGraph graph;

  void step() {
    at::le_out(mask, key_index, position);  // keys 0..position are attendable
    at::Tensor logits = model->forward_device_position(token, *cache, position, mask);  // (B, 1, V)
    at::Tensor next = logits.view({batch, -1}).argmax(-1);                              // (B)
    generated.index_copy_(0, row, next.view({1, batch}));
    token.copy_(next.view({batch, 1}));
    position.add_(1);
    row.add_(1);
  }
};

bool CudaGraphDecoder::supported(c10::Device device) { return device.is_cuda(); }

CudaGraphDecoder::CudaGraphDecoder(Transformer model, KvCache& cache, int64_t prompt_len, int64_t new_tokens) {
  const c10::Device device = model->options().device;
  if (!device.is_cuda()) throw std::runtime_error("CUDA graphs need a CUDA device, the model is on " + device.str());
  state_ = std::make_unique<State>();  // only now: a CUDAGraph initialises the CUDA runtime
  auto& s = *state_;
  s.model = model;
  s.cache = &cache;
  s.prompt_len = prompt_len;
  s.new_tokens = new_tokens;
  s.batch = cache.batch;
  auto i64 = at::TensorOptions().dtype(at::kLong).device(device);
  s.generated = at::zeros({new_tokens, s.batch}, i64);
  s.position = at::full({1}, prompt_len, i64);
  s.row = at::ones({1}, i64);
  s.key_index = at::arange(cache.capacity, i64).view({1, 1, 1, cache.capacity});
  s.mask = at::zeros({1, 1, 1, cache.capacity}, i64.dtype(at::kBool));
  s.token = at::zeros({s.batch, 1}, i64);
  model->reserve_positions(cache.capacity);
  s.rotary = model->rotary_tables();

  c10::cuda::CUDAGuard device_guard(device);
  // Capture must run off the legacy default stream. Warm-up steps on the same side
  // stream first let cuBLAS create its workspace and the allocator fill its pool,
  // neither of which may happen during capture. They scribble on cache rows at and
  // after `prompt_len`, which every generate() overwrites before reading.
  c10::cuda::CUDAStream stream = c10::cuda::getStreamFromPool();
  stream.synchronize();
  c10::cuda::getCurrentCUDAStream().synchronize();
  {
    c10::cuda::CUDAStreamGuard stream_guard(stream);
    for (int i = 0; i < 2; ++i) {
      s.position.fill_(prompt_len);
      s.row.fill_(1);
      s.step();
    }
    stream.synchronize();
    s.position.fill_(prompt_len);
    s.row.fill_(1);
    s.graph.capture_begin();
    s.step();
    s.graph.capture_end();
  }
  stream.synchronize();
}

CudaGraphDecoder::~CudaGraphDecoder() = default;

at::Tensor CudaGraphDecoder::generate(const at::Tensor& prompt, TokenObserver* observer) {
  auto& s = *state_;
  TORCH_CHECK(prompt.size(0) == s.batch && prompt.size(1) == s.prompt_len, "prompt shape ", prompt.sizes(),
              " does not match the captured (", s.batch, ", ", s.prompt_len, ")");
  if (observer) observer->on_start();
  {
    profiles::ScopedRange range(profiles::kPrefillRange);
    at::Tensor logits = s.model->forward_cached(prompt, *s.cache, 0, 1);  // (B, 1, V)
    at::Tensor first = s.generated.select(0, 0);
    at::argmax_out(first, logits.view({s.batch, -1}), -1);
    s.token.copy_(first.view({s.batch, 1}));
    s.position.fill_(s.prompt_len);
    s.row.fill_(1);
  }
  if (observer) observer->on_token(0);
  for (int64_t i = 1; i < s.new_tokens; ++i) {
    // The layer ranges were recorded at capture; replays show only this step range.
    profiles::ScopedRange range(profiles::kDecodeStepRange);
    s.graph.replay();
    if (observer) observer->on_token(i);
  }
  return s.generated;
}

#else  // CPU-only LibTorch

struct CudaGraphDecoder::State {};
bool CudaGraphDecoder::supported(c10::Device) { return false; }
CudaGraphDecoder::CudaGraphDecoder(Transformer, KvCache&, int64_t, int64_t) {
  throw std::runtime_error("CUDA graphs need a LibTorch with CUDA; this build has none");
}
CudaGraphDecoder::~CudaGraphDecoder() = default;
at::Tensor CudaGraphDecoder::generate(const at::Tensor&, TokenObserver*) {
  throw std::runtime_error("CUDA graphs need a LibTorch with CUDA; this build has none");
}

#endif

}  // namespace shishu::models
