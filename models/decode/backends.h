// The decode backends, one row each, torch-free: the sweep, the point list, the help
// text, the skip reasons and the reports read the same rows, and the registry
// (decoder.h) builds each backend from its row's step kind and graph policy alone. A new
// backend that combines a step kind and a graph policy is one row here; a new step kind
// is an enumerator here and its code beside decoder.cpp.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "base/device_name.h"

namespace shishu::models {

enum class StepKind {
  kHostLoop,    // the reference's greedy loop: positions on the host, one forward per token
  kDeviceStep,  // a static cache with the position on the device, the reference's rotary
  kFusedStep,   // the same, rotating q and k in three operators (device_step.h)
  kPeer,        // another stack's figures (scripts/peer_hf.py writes them); never run here
};

enum class GraphPolicy {
  kNever,   // each step runs as it is
  kAlways,  // each step replayed from a CUDA graph (a CUDA device only)
  kOnCuda,  // a graph on a CUDA device, the plain step elsewhere
};

struct BackendRow {
  const char* name;
  const char* description;
  std::vector<const char*> aliases;
  std::vector<base::DeviceKind> devices;  // where it runs
  StepKind step;
  GraphPolicy graph;
  // Rotary tables of the cache's capacity it holds beyond the model's own, for the memory
  // prediction: a device-position step gathers its rows from a table of its own (cos and
  // sin) and a copy of sin (device_positions.h), 1.5 tables.
  double rotary_tables = 0;
};

// eager, cuda_graphs, fast, and the peers hf-eager and hf-compiled.
const std::vector<BackendRow>& backend_table();

// A backend as a value: one row of the table.
class Backend {
 public:
  Backend();  // eager
  explicit Backend(const BackendRow& row) : row_(&row) {}
  const BackendRow& row() const { return *row_; }
  const char* name() const { return row_->name; }
  bool peer() const { return row_->step == StepKind::kPeer; }
  // Whether each step is replayed from a CUDA graph on a device of this kind.
  bool graphs_on(base::DeviceKind kind) const;
  bool operator==(const Backend& o) const { return row_ == o.row_; }
  bool operator!=(const Backend& o) const { return row_ != o.row_; }
  bool operator<(const Backend& o) const { return std::string_view(name()) < o.name(); }

 private:
  const BackendRow* row_;
};

// By name or alias ("graphs" and "cuda-graphs" are cuda_graphs). Throws
// std::invalid_argument naming the value and listing the names.
Backend parse_backend(std::string_view name);
// Why `backend` cannot decode on a device of `kind` here ("" when it can).
std::string backend_unavailable(const Backend& backend, base::DeviceKind kind);
// "eager: <description>; cuda_graphs: ...": the --mode help.
std::string backend_help();

}  // namespace shishu::models
