// `shishu-bench models`: the registry as a table or JSON.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace shishu::cli {

struct ModelsOptions {
  bool json = false;
  std::vector<std::string> extra;  // custom "<base>:<layout>" specs to list after the registry
};

// One registry row with every derived figure; parameters come from a module
// instantiated on the meta device, shared tensors counted once.
nlohmann::json describe_model(const std::string& spec);

int run_models_command(const ModelsOptions& options);

}  // namespace shishu::cli
