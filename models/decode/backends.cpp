#include "models/decode/backends.h"

#include <algorithm>
#include <stdexcept>

namespace shishu::models {

const std::vector<BackendRow>& backend_table() {
  using base::DeviceKind;
  const std::vector<DeviceKind> anywhere = {DeviceKind::kCpu, DeviceKind::kCuda};
  static const std::vector<BackendRow> kTable = {
      {"eager", "the reference model's greedy loop: one host-driven forward_cached per token (the paper's stack)", {},
       anywhere, StepKind::kHostLoop, GraphPolicy::kNever, 0},
      {"cuda_graphs", "each decode step, LM head and argmax included, replayed from a CUDA graph",
       {"graphs", "cuda-graphs"}, {DeviceKind::kCuda}, StepKind::kDeviceStep, GraphPolicy::kAlways, 1.5},
      {"fast",
       "a static-cache step of the reference's own walk: positions on the device, rotary once for q and k, one "
       "CUDA graph per step on a GPU",
       {}, anywhere, StepKind::kFusedStep, GraphPolicy::kOnCuda, 1.5},
      {"hf-eager", "Hugging Face transformers, dynamic cache (scripts/peer_hf.py)", {}, anywhere, StepKind::kPeer,
       GraphPolicy::kNever, 0},
      {"hf-compiled", "Hugging Face transformers, static cache and torch.compile (scripts/peer_hf.py)", {}, anywhere,
       StepKind::kPeer, GraphPolicy::kNever, 0},
  };
  return kTable;
}

Backend::Backend() : row_(&backend_table().front()) {}

bool Backend::graphs_on(base::DeviceKind kind) const {
  return row_->graph == GraphPolicy::kAlways || (row_->graph == GraphPolicy::kOnCuda && kind == base::DeviceKind::kCuda);
}

Backend parse_backend(std::string_view name) {
  std::string names;
  for (const auto& row : backend_table()) {
    if (name == row.name) return Backend(row);
    for (const char* alias : row.aliases) {
      if (name == alias) return Backend(row);
    }
    names += std::string(names.empty() ? "" : ", ") + row.name;
  }
  throw std::invalid_argument("unknown decode backend (mode) '" + std::string(name) + "'; use one of " + names);
}

std::string backend_unavailable(const Backend& backend, base::DeviceKind kind) {
  const BackendRow& row = backend.row();
  if (backend.peer()) return std::string(row.name) + " is a peer's figures (scripts/peer_hf.py), never run here";
  if (std::find(row.devices.begin(), row.devices.end(), kind) != row.devices.end()) return "";
  return std::string(row.name) + " needs a " + (kind == base::DeviceKind::kCpu ? "CUDA device" : "CPU");
}

std::string backend_help() {
  std::string help;
  for (const auto& row : backend_table()) help += std::string(help.empty() ? "" : "; ") + row.name + ": " + row.description;
  return help;
}

}  // namespace shishu::models
