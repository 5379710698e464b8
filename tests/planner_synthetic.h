// Synthetic observations for the planner's tests: a known cost law, written here as
// plain arithmetic (independent of planner/terms.cpp), with multiplicative Gaussian
// noise, over the calibration design of bench/presets/calibrate.json.
#pragma once
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/registry.h"
#include "planner/cost_model.h"
#include "planner/plan.h"
#include "planner/quantity.h"

namespace shishu::planner::testing {

// The true coefficients, in each term's unit (terms.h), sized like fp32 on 2 CPU cores
// at 125M widths: ~7 MFLOP a token a layer at ~50 GFLOP/s, 37 MFLOP a logit row.
inline std::map<std::string, double> true_coefficients(Quantity q) {
  if (q == Quantity::peak_mb) {
    return {{"allocator.per_analytic_mb", 1.05}, {"workspace.per_token", 3.0}, {"workspace.fixed", 420}};
  }
  // A backward is about two forwards; a train step adds AdamW on top.
  const double k = q == Quantity::forward_backward_ms ? 3.0 : q == Quantity::train_step_ms ? 3.5 : 1.0;
  return {{"attention.per_call", 1.5 * k},  {"attention.per_token", 140 * k}, {"attention.per_context", 60 * k},
          {"mlp_only.per_call", 1.0 * k},   {"mlp_only.per_token", 105 * k},  {"tied_reuse.per_call", 0.6 * k},
          {"tied_reuse.per_token", 95 * k}, {"lm_head.per_row", 740 * k},     {"overhead.per_call", 5.0 * k}};
}

// What each term's coefficient multiplies, from the cost law's definition.
inline double true_feature(const std::string& key, const models::Layout& l, const Workload& w) {
  const double att = l.full_layers, sets = l.mlp_param_sets(), reuses = l.mlp_only_layers() - l.mlp_param_sets();
  const double b = double(w.batch), t = double(w.new_tokens), d = double(w.depth);
  const bool forward_style = w.quantity == Quantity::forward_ms || w.quantity == Quantity::forward_backward_ms ||
                             w.quantity == Quantity::train_step_ms;
  const double rows = forward_style ? t : 1;
  double pairs = 0;  // keys attended, summed over the T queries of a causal block
  for (int i = 0; i < w.new_tokens; ++i) pairs += d + i + 1;
  const std::map<std::string, double> f = {{"attention.per_call", att},
                                           {"attention.per_token", att * b * t / 1e3},
                                           {"attention.per_context", att * b * pairs / 1e6},
                                           {"mlp_only.per_call", sets},
                                           {"mlp_only.per_token", sets * b * t / 1e3},
                                           {"tied_reuse.per_call", reuses},
                                           {"tied_reuse.per_token", reuses * b * t / 1e3},
                                           {"lm_head.per_row", b * rows / 1e3},
                                           {"overhead.per_call", 1},
                                           {"allocator.per_analytic_mb", w.analytic_mb},
                                           {"workspace.per_token", b * t / 1e3},
                                           {"workspace.fixed", 1}};
  return f.at(key);
}

// The noiseless value in the fit target's unit (ms per call or step, MB).
inline double true_target(const models::ModelConfig& m, const Workload& w) {
  double sum = 0;
  for (const auto& [key, a] : true_coefficients(w.quantity)) sum += a * true_feature(key, m.layout, w);
  return sum;
}

// One observation: the true value times (1 + sigma * N(0, 1)), in the quantity's unit.
inline Observation observe(const models::ModelConfig& m, Workload w, double sigma, std::mt19937_64& rng) {
  if (w.quantity == Quantity::peak_mb) w.analytic_mb = analytic_inference_mb(m, w, 4);
  const double noisy = true_target(m, w) * (1 + sigma * std::normal_distribution<double>()(rng));
  return {m, w, from_fit_target(w, noisy), sigma};
}

inline std::vector<int64_t> int_list(const nlohmann::json& v) {
  if (v.is_number_integer()) return {v.get<int64_t>()};
  std::vector<int64_t> out;
  std::stringstream in(v.get<std::string>());
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoll(item));
  return out;
}

inline std::vector<std::string> string_list(const nlohmann::json& v) {
  if (v.is_array()) return v.get<std::vector<std::string>>();
  std::vector<std::string> out;
  std::stringstream in(v.get<std::string>());
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

// The workloads one harness point measures, worked out here from what each phase times
// (the bridge, reports/planner_observations.h, must agree): a forward phase its time
// and peak; a generate point its TTFT, the throughput of its G - 1 decode steps (step k
// runs with prefill + k - 1 positions cached) at their mean depth, and its peak at the
// prefill; a decode point the median of its G steps (step i with depth + i cached),
// the middle one's, and its peak at its deepest step.
inline std::vector<Workload> point_workloads(const std::string& phase, int64_t batch, int64_t seq, int64_t prefill,
                                             int64_t gen, int64_t depth) {
  if (phase == "generate") {
    return {{Quantity::ttft_ms, batch, prefill, 0},
            {Quantity::throughput_tok_s, batch, 1, prefill + (gen - 2) / 2},
            {Quantity::peak_mb, batch, prefill, 0}};
  }
  if (phase == "decode") {
    return {{Quantity::decode_ms, batch, 1, depth + (gen - 1) / 2}, {Quantity::peak_mb, batch, 1, depth + gen - 1}};
  }
  const Quantity q = phase == "forward"            ? Quantity::forward_ms
                     : phase == "forward_backward" ? Quantity::forward_backward_ms
                                                   : Quantity::train_step_ms;
  return {{q, batch, seq, 0}, {Quantity::peak_mb, batch, seq, 0}};
}

// The provenance the tests calibrate under.
inline Provenance test_provenance() {
  Provenance p;
  p.device = "cpu: test";
  p.dtype = "fp32";
  p.build_commit = "abc123";
  p.context = {{"libtorch_version", "2.11.0"}, {"cores", 2}};
  return p;
}

// The message of the std::invalid_argument that f throws, or "(no exception)".
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

// The proposed calibration design, in the source tree.
inline std::string calibration_preset() { return std::string(SHISHU_SOURCE_DIR) + "/bench/presets/calibrate.json"; }

// Every point of a preset (lists and single values only, as calibrate.json uses).
inline std::vector<Observation> preset_observations(const std::string& path, double sigma, uint64_t seed) {
  std::ifstream in(path);
  const auto preset = nlohmann::json::parse(in);
  std::mt19937_64 rng(seed);
  std::vector<Observation> out;
  const auto& defaults = preset.at("defaults");
  for (const auto& grid : preset.at("grids")) {
    auto axis = [&](const char* key) {
      return grid.contains(key) ? grid.at(key) : defaults.value(key, nlohmann::json(0));
    };
    for (const auto& model : string_list(axis("models"))) {
      const auto config = models::resolve_model(model);
      for (const auto& phase : string_list(axis("phase"))) {
        for (int64_t batch : int_list(axis("batch"))) {
          for (int64_t seq : int_list(axis("seq"))) {
            for (int64_t prefill : int_list(axis("prefill"))) {
              for (int64_t gen : int_list(axis("gen"))) {
                for (int64_t depth : int_list(axis("depth"))) {
                  for (const auto& w : point_workloads(phase, batch, seq, prefill, gen, depth))
                    out.push_back(observe(config, w, sigma, rng));
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

}  // namespace shishu::planner::testing
