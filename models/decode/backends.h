// The decode backends, as data: what the sweep, the point list and the reports need to
// know of each, torch-free. The code of each lives beside this file (decoder.h); the
// registry there is keyed by the same names, and a test holds the two together.
#pragma once
#include <string>
#include <vector>

namespace shishu::models {

struct BackendTraits {
  const char* name;
  const char* description;
  bool needs_cuda = false;  // cannot run on the CPU
  bool peer = false;        // another stack's figures (scripts/peer_hf.py writes them); never run here
};

// eager, cuda_graphs, fast, and the peers hf-eager and hf-compiled.
const std::vector<BackendTraits>& backend_table();
// The backend by name ("graphs" and "cuda-graphs" are cuda_graphs); throws
// std::invalid_argument naming the value and listing the names.
const BackendTraits& backend_traits(const std::string& name);

}  // namespace shishu::models
