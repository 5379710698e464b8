// The cost terms: one row per term, each a column of the design matrix. Adding a term
// is adding a row here; the fit, the identifiability check, the file and the printout
// all read the table.
//
// Time terms (every time and rate quantity; ms, per call):
//   attention.per_call     L_att                       weight reads, launches
//   attention.per_token    L_att * B*T / 1e3           QKV, O and MLP projections
//   attention.per_context  L_att * B*A(T,D) / 1e6      QK^T and AV over the keys
//                          attended, A(T,D) = T*D + T(T+1)/2 (causal)
//   mlp_only.per_call      S                           S = a set's first use
//   mlp_only.per_token     S * B*T / 1e3
//   tied_reuse.per_call    R                           R = later uses of a tied set,
//   tied_reuse.per_token   R * B*T / 1e3               fitted apart (cache-warm weights)
//   lm_head.per_row        B*rows / 1e3                embedding and LM head; rows = T
//                                                      for forward phases, else 1
//   overhead.per_call      1                           fixed per call
// At one width the head's weight read is a fixed cost per call, as the harness
// overhead is: the two share overhead.per_call and separate only across widths.
//
// Memory terms (peak_mb; MB):
//   allocator.per_analytic_mb  analytic_mb      allocator rounding and caching
//   workspace.per_token        B*T / 1e3        transient buffers of the kernels
//   workspace.fixed            1                runtime and allocator base (may be
//                                               negative: the analytic peak can count
//                                               tensors that are never live together)
#pragma once
#include <string_view>
#include <vector>

#include "planner/quantity.h"

namespace shishu::planner {

// A layout axis a term scales with, for messages ("every calibration layout has 0
// MLP-only layers") and for the planner's distance between layouts.
struct LayerAxis {
  std::string_view name;  // plural noun: "attention layers"
  int LayerCounts::*count;
};
const std::vector<LayerAxis>& layer_axes();

// What a term's coefficient scales with across widths (the explicit width transfer,
// planner/width_transfer.h): the ratio of the work behind it at the two widths.
enum class WidthScale {
  none,               // the per-call overhead, the allocator's factor, the fixed workspace
  attention_layer,    // a decoder layer's weights: read once a call, 2 FLOPs each a token
  attention_context,  // query heads x head_dim: the FLOPs of one query-key pair
  mlp_layer,          // an MLP set's weights, likewise
  head_row,           // vocab x d_model: the LM head's FLOPs a logit row
  activation_token,   // d_model + ffn_hidden: an inference forward's live tensors a token
};

struct Term {
  std::string_view key;    // stable key in model files
  std::string_view label;  // for people: "MLP-only term, per token"
  std::string_view unit;   // of the coefficient: "ms per layer per 1k tokens"
  bool non_negative;       // a cost that cannot be negative
  const LayerAxis* axis;   // the layout axis it scales with, or nullptr
  // The column value for one call: the work this term's coefficient multiplies.
  double (*feature)(const LayerCounts& layers, const Workload& w);
  WidthScale width_scale = WidthScale::none;
};

// The terms of one quantity's model, in column order.
const std::vector<Term>& terms_for(Quantity q);

// Rows of logits one call computes per sequence.
int64_t logit_rows(const Workload& w);

}  // namespace shishu::planner
