// One point of a sweep: every axis fixed. Plain data; its id names it everywhere (the
// Google Benchmark name, the journal, report matching).
#pragma once
#include <cstdint>
#include <string>

namespace shishu::bench {

enum class Phase { kForward, kForwardBackward, kGenerate, kTrainStep };

std::string to_string(Phase p);     // "forward", "forward_backward", "generate", "train_step"
// What the sweep needs to know of a phase, torch-free (its code: bench/phases/).
struct PhaseTraits {
  bool generates = false;  // prefill and gen axes; otherwise a seq axis
  bool needs_loss = false;  // a next-token loss: seq >= 2
};
PhaseTraits traits(Phase p);
Phase parse_phase(const std::string& s);  // throws std::invalid_argument
// A decode backend's canonical name (models/decode/backends.h: eager, cuda_graphs, fast,
// the peers hf-eager and hf-compiled); throws std::invalid_argument naming the value.
std::string parse_mode(const std::string& s);

struct Point {
  std::string model;  // registry name or <base>:<layout>
  Phase phase = Phase::kForward;
  int64_t batch = 1;
  int64_t seq = 0;      // forward / forward_backward: tokens per sequence
  int64_t prefill = 0;  // generate: prompt tokens
  int64_t gen = 0;      // generate: new tokens G
  std::string dtype = "bf16";
  std::string device = "cpu";
  std::string mode = "eager";  // the decode backend (the "mode" axis); eager for every other phase

  // e.g. "generate/shishulm-125m/bf16/cuda/eager/b1/p2048/g128". Unique per point.
  std::string id() const;
  // A numeric axis by name: "batch", "seq", "prefill" or "gen". Throws
  // std::invalid_argument for any other name.
  int64_t axis(const std::string& name) const;
  bool operator==(const Point& o) const { return id() == o.id(); }
};

}  // namespace shishu::bench
