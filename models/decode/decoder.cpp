#include "models/decode/decoder.h"

#include <ATen/ATen.h>

#include <map>
#include <stdexcept>

#include "models/decode/backends.h"
#include "models/decode/device_step.h"

namespace shishu::models {
namespace {

// `eager`: the reference greedy loop (models/generate.h), unchanged.
class EagerDecoder : public Decoder {
 public:
  EagerDecoder(Transformer model, const DecodeShape& shape)
      : model_(std::move(model)), shape_(shape), cache_(model_->make_cache(shape.batch, shape.prompt_len + shape.new_tokens)) {}
  at::Tensor generate(const at::Tensor& prompt, TokenObserver* observer) override {
    return generate_greedy(model_, prompt, shape_.new_tokens, cache_, observer);
  }

 private:
  Transformer model_;
  DecodeShape shape_;
  KvCache cache_;
};

using Factory = std::unique_ptr<Decoder> (*)(Transformer, const DecodeShape&);

// The registry: one factory per runnable name of backends.h.
const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> kFactories = {
      {"eager", [](Transformer m, const DecodeShape& s) -> std::unique_ptr<Decoder> {
         return std::make_unique<EagerDecoder>(std::move(m), s);
       }},
      {"cuda_graphs", [](Transformer m, const DecodeShape& s) -> std::unique_ptr<Decoder> {
         return make_step_decoder(std::move(m), s, StepKind::kReference, /*graph=*/true);
       }},
      {"fast", [](Transformer m, const DecodeShape& s) -> std::unique_ptr<Decoder> {
         const bool graph = m->options().device.is_cuda();
         return make_step_decoder(std::move(m), s, StepKind::kFast, graph);
       }},
  };
  return kFactories;
}

}  // namespace

std::string decoder_unavailable(const std::string& backend, const c10::Device& device) {
  const BackendTraits& traits = backend_traits(backend);
  if (traits.peer) return std::string(traits.name) + " is a peer's figures (scripts/peer_hf.py), never run here";
  if (traits.needs_cuda && !device.is_cuda()) return std::string(traits.name) + " needs a CUDA device";
  if (!factories().count(traits.name)) return std::string(traits.name) + " has no decoder in this build";
  return "";
}

std::unique_ptr<Decoder> make_decoder(const std::string& backend, Transformer model, const DecodeShape& shape) {
  const std::string why = decoder_unavailable(backend, model->options().device);
  if (!why.empty()) throw std::runtime_error(why);
  return factories().at(backend_traits(backend).name)(std::move(model), shape);
}

}  // namespace shishu::models
