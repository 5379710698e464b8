#include "models/decode/backends.h"

#include <stdexcept>

namespace shishu::models {

const std::vector<BackendTraits>& backend_table() {
  static const std::vector<BackendTraits> kTable = {
      {"eager", "the reference model's greedy loop: one host-driven forward_cached per token (the paper's stack)"},
      {"cuda_graphs", "each decode step, LM head and argmax included, replayed from a CUDA graph", true},
      {"fast",
       "a static-cache step over the reference's weights: positions on the device, rotary once for q and k, "
       "one CUDA graph per step on a GPU"},
      {"hf-eager", "Hugging Face transformers, dynamic cache (scripts/peer_hf.py)", false, true},
      {"hf-compiled", "Hugging Face transformers, static cache and torch.compile (scripts/peer_hf.py)", false, true},
  };
  return kTable;
}

const BackendTraits& backend_traits(const std::string& name) {
  const std::string canonical = (name == "graphs" || name == "cuda-graphs") ? "cuda_graphs" : name;
  std::string names;
  for (const auto& b : backend_table()) {
    if (canonical == b.name) return b;
    names += std::string(names.empty() ? "" : ", ") + b.name;
  }
  throw std::invalid_argument("unknown decode backend (mode) '" + name + "'; use one of " + names);
}

}  // namespace shishu::models
