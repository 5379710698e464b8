#include "bench/point.h"

#include <stdexcept>

namespace shishu::bench {

std::string to_string(Phase p) {
  switch (p) {
    case Phase::kForward: return "forward";
    case Phase::kForwardBackward: return "forward_backward";
    case Phase::kGenerate: return "generate";
  }
  return "?";
}

std::string to_string(ExecMode m) { return m == ExecMode::kEager ? "eager" : "cuda_graphs"; }

Phase parse_phase(const std::string& s) {
  if (s == "forward" || s == "fwd") return Phase::kForward;
  if (s == "forward_backward" || s == "fwd_bwd" || s == "forward+backward") return Phase::kForwardBackward;
  if (s == "generate" || s == "gen") return Phase::kGenerate;
  throw std::invalid_argument("unknown phase '" + s + "'; use forward, forward_backward or generate");
}

ExecMode parse_mode(const std::string& s) {
  if (s == "eager") return ExecMode::kEager;
  if (s == "cuda_graphs" || s == "graphs" || s == "cuda-graphs") return ExecMode::kCudaGraphs;
  throw std::invalid_argument("unknown mode '" + s + "'; use eager or cuda_graphs");
}

int64_t Point::axis(const std::string& name) const {
  if (name == "batch") return batch;
  if (name == "seq") return seq;
  if (name == "prefill") return prefill;
  if (name == "gen") return gen;
  throw std::invalid_argument("no numeric axis '" + name + "'");
}

std::string Point::id() const {
  std::string s = to_string(phase) + "/" + model + "/" + dtype + "/" + device + "/" + to_string(mode) + "/b" +
                  std::to_string(batch);
  if (phase == Phase::kGenerate) {
    s += "/p" + std::to_string(prefill) + "/g" + std::to_string(gen);
  } else {
    s += "/t" + std::to_string(seq);
  }
  return s;
}

}  // namespace shishu::bench
