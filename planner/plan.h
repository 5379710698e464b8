// Planning: every layout the grammar allows at the model's widths within bounds,
// predicted, filtered by a budget, and reduced to its Pareto front; then which layouts
// to measure next to confirm the front.
//
// The front's objectives, one row each (plan.cpp): parameters and attention layers are
// capacity (more is better); KV bytes per token and every predicted time and memory
// are cost (less is better), a throughput is better higher. At one width KV bytes
// follow the attention layers, so both are kept: KV is what a long context pays.
#pragma once
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "models/model_config.h"
#include "planner/cost_model.h"

namespace shishu::planner {

// One quantity's allowed interval; an absent side is infinite.
struct Bound {
  Quantity quantity = Quantity::decode_ms;
  double lo = -INFINITY, hi = INFINITY;
};
using Budget = std::vector<Bound>;  // at most one Bound per quantity

// "decode_ms<=20,peak_mb<=900,throughput_tok_s>=50": comma-separated KEY<=X or KEY>=X
// (also < and >, read as <= and >=: predictions are continuous), KEY a quantity name.
// Throws std::invalid_argument naming the problem: empty text or item, unknown key, a
// value that is not a finite number, or bounds that no value meets
// (decode_ms<=1,decode_ms>=2) or that repeat a side (decode_ms<=1,decode_ms<=2).
Budget parse_budget(std::string_view text);
bool within(const Budget& budget, Quantity q, double value);

// The layouts to consider: full + m (untied) and full + (m/t)*t (tied in groups of t).
struct LayoutSpace {
  int min_attention = 1, max_attention = 30;
  int max_mlp_only = 30;           // MLP-only layers executed (0 .. this)
  int max_total_layers = 60;       // attention + MLP-only executed
  std::vector<int> ties = {1, 2};  // 1: untied; t >= 2: groups of t sharing weights
};
// Throws std::invalid_argument for empty or inverted bounds or a tie below 1.
std::vector<models::Layout> enumerate_layouts(const LayoutSpace& space);

// The analytic peak memory (MB) of a layout at a workload, for peak_mb predictions:
// the caller's phase predictor, or analytic_inference_mb.
using AnalyticMemory = std::function<double(const models::ModelConfig&, const Workload&)>;
// Weights, the KV cache of batch x (depth + new tokens) tokens and fp32 logits, in MB:
// a lower bound for inference phases, from models/analytic.h.
double analytic_inference_mb(const models::ModelConfig& model, const Workload& w, int bytes_per_element);

struct Candidate {
  models::ModelConfig model;
  int64_t params = 0;
  int attention_layers = 0;
  int64_t kv_bytes_per_token = 0;
  std::vector<Prediction> predictions;    // one per workload given to plan()
  std::vector<std::string> extrapolated;  // union over the predictions' axes
  double distance_to_calibration = 0;     // to the nearest calibration layout (plan.cpp)
};

struct PlanResult {
  int enumerated = 0;
  int within_budget = 0;
  std::vector<Candidate> front;         // Pareto-optimal within the budget, by params
  std::vector<Candidate> measure_next;  // front members to measure, most informative first
};

// Predicts every enumerated layout at every workload. Throws std::invalid_argument when
// a budget names a quantity without a workload, the workloads repeat a quantity, or a
// peak_mb workload comes without `analytic`.
PlanResult plan(const CostModel& model, const LayoutSpace& space, const std::vector<Workload>& workloads,
                const Budget& budget, const AnalyticMemory& analytic = {}, int measure_next = 3);

}  // namespace shishu::planner
