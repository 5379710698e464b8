// Checkpoint commands of shishu-bench:
//   export    a model's weights (seeded init) as DIR/model.safetensors + DIR/config.json
//   generate  greedy decoding from a prompt; prints the new token ids and nothing else
//   evaluate  logits (and with --backward the loss and per-tensor gradient norms) of one
//             sequence, as a safetensors file: what the Hugging Face parity tests compare
#pragma once
#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace shishu::cli {

struct CheckpointOptions {
  std::string model;    // spec, or a config.json (or its folder)
  std::string weights;  // folder or .safetensors file; empty: seeded random init
  std::string dtype = "fp32";
  std::string device = "cpu";
  uint64_t seed = 0;
  double init_std = 0.02;
  std::string out;
  std::string tokens;  // "1,2,3"
  int gen = 0;
  bool backward = false;
};

void add_export_options(CLI::App& app, CheckpointOptions& o);
void add_generate_options(CLI::App& app, CheckpointOptions& o);
void add_evaluate_options(CLI::App& app, CheckpointOptions& o);

int run_export_command(const CheckpointOptions& o);
int run_generate_command(const CheckpointOptions& o);
int run_evaluate_command(const CheckpointOptions& o);

}  // namespace shishu::cli
