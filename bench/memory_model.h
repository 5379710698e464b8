// The closed-form memory model the phases' predictions are built from, torch-free: which
// tensors a pass holds at its peak, in bytes, per layer kind and per precision. Measured
// against the counting CPU allocator in tests/test_e2e_memory.cpp and in
// reports/PERFORMANCE.md ("Memory accounting").
#pragma once
#include "bench/point.h"
#include "bench/prediction.h"
#include "models/model_config.h"
#include "models/precision.h"

namespace shishu::bench {

// Bytes the weights occupy during a pass: every distinct parameter in the storage type,
// plus, under a mixed precision, autocast's cached compute-type copy of each (a weight is
// cast once per autocast region, and the copy is kept until the region ends).
double resident_weight_bytes(const models::ModelConfig& config, const models::Dtype& dtype);

// Bytes autograd keeps for backward over `tokens` tokens, per layer kind (an estimate that
// follows the ops in models/ and leaves out kernels' own workspaces); compute-type elements.
double activation_bytes(const models::ModelConfig& config, double tokens, const models::Dtype& dtype);

// A training step's peak is the larger of two moments of backward, measured on the CPU
// with the counting allocator (reports/PERFORMANCE.md, "Memory accounting"):
//  - its end: every gradient exists, and the tied embedding's two contributions (the
//    lookup's and the output projection's) are being summed out of place: the old
//    gradient, the new contribution and their sum, two vocab x d_model tensors beyond
//    the gradients (backward_transient_bytes);
//  - its start: the activations autograd kept, the logits, the loss's fp32 tensors and
//    the logits' gradients (in `logits_bytes` for the training phases).
// Weights (and AdamW's moments) are alive throughout:
//   peak = weights + optimizer + max(gradients + transient, activations + logits).
double backward_transient_bytes(const models::ModelConfig& config, const models::Dtype& dtype);
double training_peak_bytes(const Prediction& p);
// The training phases' logits term: the logits (B x T x V, compute type) and the loss's
// fp32 input (B x (T-1) x V), and at backward's start the gradient of each.
double training_logits_bytes(const models::ModelConfig& config, const Point& p, const models::Dtype& dtype);

// The tensors an inference forward over `tokens` tokens of each of `batch` sequences holds
// at its peak, measured at the MLP of a layer (reports/PERFORMANCE.md, "Long context"):
// the residual stream entering the layer and leaving its attention, the MLP's norm,
// gate_up (2F), silu and product (F each) and its output: 4d + 4F elements a token. A
// chunked prefill holds one chunk's.
double inference_activation_bytes(const models::ModelConfig& config, double batch, double tokens,
                                  const models::Dtype& dtype);

// The model's rotary table once the cache holds `positions` (models/rope.h): cos and sin
// rows of head_dim each, at least 256 rows. Building one holds, for a moment, its angles
// and their cosine or sine in fp64: head_dim * 8 bytes a row (rotary_build_bytes), which
// counts for the decoders that build theirs after the cache.
double rotary_table_bytes(const models::ModelConfig& config, int64_t positions, const models::Dtype& dtype);
double rotary_build_bytes(const models::ModelConfig& config, int64_t positions);

// What a decode point (batch, depth, gen) holds at its peak: the weights, the cache of
// depth + gen positions, one position's logits, and the short-lived tensors of its
// deepest step (its activations, attention's scores over every cached key). The memory
// terms of the decode phase's prediction, and of the long-context report's fits.
Prediction decode_memory(const models::ModelConfig& config, const Point& p);

// The least bytes one pass of a sequence phase moves: every executed weight read
// `weight_reads` times (a tied MLP block once per use), plus the logits written.
double sequence_pass_bytes(const models::ModelConfig& config, const Point& p, int weight_reads);

}  // namespace shishu::bench
