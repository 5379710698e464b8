#include "models/decode/decoder.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "models/decode/device_step.h"

namespace shishu::models {
namespace {

// `eager`: the reference greedy loop (models/generate.h), unchanged.
class EagerDecoder : public Decoder {
 public:
  EagerDecoder(Transformer model, const DecodeShape& shape)
      : model_(std::move(model)), shape_(shape), cache_(model_->make_cache(shape.batch, shape.prompt_len + shape.new_tokens)) {}
  at::Tensor generate(const at::Tensor& prompt, TokenObserver* observer) override {
    return generate_greedy(model_, prompt, shape_.new_tokens, cache_, observer, shape_.prefill_chunk);
  }
  at::Tensor decode(const at::Tensor& first, TokenObserver* observer) override {
    return decode_greedy(model_, first, shape_.prompt_len, shape_.new_tokens, cache_, observer);
  }
  KvCache& cache() override { return cache_; }

 private:
  Transformer model_;
  DecodeShape shape_;
  KvCache cache_;
};

}  // namespace

std::unique_ptr<Decoder> make_decoder(const Backend& backend, Transformer model, const DecodeShape& shape) {
  const c10::Device device = model->options().device;
  const base::DeviceKind kind = device.is_cuda() ? base::DeviceKind::kCuda : base::DeviceKind::kCpu;
  const std::string why = backend_unavailable(backend, kind);
  if (!why.empty()) throw std::runtime_error(why);
  const bool graph = backend.graphs_on(kind);
  switch (backend.row().step) {
    case StepKind::kHostLoop: return std::make_unique<EagerDecoder>(std::move(model), shape);
    case StepKind::kDeviceStep: return make_step_decoder(std::move(model), shape, RotaryForm::kReference, graph);
    case StepKind::kFusedStep: return make_step_decoder(std::move(model), shape, RotaryForm::kFused, graph);
    case StepKind::kPeer: break;
  }
  throw std::logic_error(std::string("backend ") + backend.name() + " has no decoder");
}

}  // namespace shishu::models
