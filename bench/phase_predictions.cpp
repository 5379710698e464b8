#include "bench/phase_predictions.h"

#include "models/analytic.h"

namespace shishu::bench {

Prediction predict_forward(const models::ModelConfig& c, const Point& p) {
  const int64_t batch = p.batch(), seq = p.axis(Axis::kSeq);
  Prediction r;
  r.weight_bytes = resident_weight_bytes(c, p.dtype);
  r.logits_bytes = double(batch) * double(seq) * c.widths.vocab * models::element_bytes(p.dtype.compute);
  r.flops = models::forward_flops(c, batch, seq, 0, seq);
  r.bytes = sequence_pass_bytes(c, p, 1);
  r.tokens = double(batch) * double(seq);
  return r;
}

Prediction predict_forward_backward(const models::ModelConfig& c, const Point& p) {
  const int64_t batch = p.batch(), seq = p.axis(Axis::kSeq);
  Prediction r;
  r.weight_bytes = resident_weight_bytes(c, p.dtype);
  r.logits_bytes = training_logits_bytes(c, p, p.dtype);
  r.grad_bytes = static_cast<double>(models::weight_bytes(c, models::element_bytes(p.dtype.storage)));  // storage type
  r.activation_bytes = activation_bytes(c, double(batch) * double(seq), p.dtype);
  r.transient_bytes = backward_transient_bytes(c, p.dtype);
  r.total_bytes = training_peak_bytes(r);
  // Backward ~ 2x forward: gradients with respect to activations and to weights.
  r.flops = 3 * models::forward_flops(c, batch, seq, 0, seq);
  // The weights read by the forward and again for the input gradients, the gradients written.
  r.bytes = sequence_pass_bytes(c, p, 2) + r.grad_bytes;
  r.tokens = double(batch) * double(seq);
  return r;
}

Prediction predict_generate(const models::ModelConfig& c, const Point& p) {
  const int64_t batch = p.batch(), prefill = p.axis(Axis::kPrefill), gen = p.axis(Axis::kGen);
  const int dtype_bytes = models::element_bytes(p.dtype.storage);  // generation never mixes precisions
  Prediction r;
  r.weight_bytes = static_cast<double>(models::weight_bytes(c, dtype_bytes));
  r.kv_cache_bytes = double(batch) * double(prefill + gen) * double(models::kv_bytes_per_token(c, dtype_bytes));
  r.logits_bytes = double(batch) * c.widths.vocab * dtype_bytes;
  // The prefill's activations, a chunk's at a time when chunked, outweigh a decode step's.
  const int64_t chunk = p.axis_or(Axis::kPrefillChunk, 0);
  r.activation_bytes = inference_activation_bytes(c, double(batch), double(chunk > 0 ? chunk : prefill), p.dtype) +
                       (1 + p.mode.row().rotary_tables) * rotary_table_bytes(c, prefill + gen, p.dtype);
  r.flops = models::forward_flops(c, batch, prefill, 0, 1);
  for (int64_t i = 1; i < gen; ++i) r.flops += models::forward_flops(c, batch, 1, prefill + i - 1, 1);
  r.tokens = double(batch) * double(gen);
  // Decode is bound by memory traffic: the least bytes a step must read, at the mean
  // cache length, against the median step.
  r.bytes = models::decode_step_bytes(c, batch, prefill + gen / 2, dtype_bytes);
  r.bytes_interval = "decode_step_ms";
  r.bytes_metric = "decode_bytes_per_step";
  return r;
}

Prediction predict_train_step(const models::ModelConfig& c, const Point& p) {
  Prediction r;
  const double tokens = double(p.batch()) * double(p.axis(Axis::kSeq));
  r.weight_bytes = resident_weight_bytes(c, p.dtype);
  r.grad_bytes = static_cast<double>(models::weight_bytes(c, models::element_bytes(p.dtype.storage)));
  r.optimizer_bytes = 2 * r.grad_bytes;  // exp_avg and exp_avg_sq, in the weights' storage type
  r.logits_bytes = training_logits_bytes(c, p, p.dtype);
  r.activation_bytes = activation_bytes(c, tokens, p.dtype);
  // AdamW's per-parameter temporaries come after backward, one parameter at a time: smaller.
  r.transient_bytes = backward_transient_bytes(c, p.dtype);
  r.total_bytes = training_peak_bytes(r);
  const int64_t seq = p.axis(Axis::kSeq);
  r.flops = 3 * models::forward_flops(c, p.batch(), seq, 0, seq);  // the update's elementwise work is not counted
  // forward_backward's bytes, then AdamW: the gradients read, the weights and both moments
  // read and written (grad_bytes is one copy of the weights in their storage type).
  r.bytes = sequence_pass_bytes(c, p, 2) + r.grad_bytes + 7 * r.grad_bytes;
  r.tokens = tokens;
  return r;
}

Prediction predict_decode(const models::ModelConfig& c, const Point& p) {
  const int64_t batch = p.batch(), depth = p.axis(Axis::kDepth), steps = p.axis(Axis::kGen);
  const int dtype_bytes = models::element_bytes(p.dtype.storage);
  Prediction r = decode_memory(c, p);
  for (int64_t i = 0; i < steps; ++i) r.flops += models::forward_flops(c, batch, 1, depth + i, 1);
  r.tokens = double(batch) * double(steps);
  r.bytes = models::decode_step_bytes(c, batch, depth + steps / 2, dtype_bytes);
  r.bytes_interval = "decode_step_ms";
  r.bytes_metric = "decode_bytes_per_step";
  return r;
}

ClosedForm closed_form(std::string_view phase) {
  static const struct {
    std::string_view name;
    ClosedForm predict;
  } table[] = {{"forward", predict_forward},
               {"forward_backward", predict_forward_backward},
               {"train_step", predict_train_step},
               {"generate", predict_generate},
               {"decode", predict_decode}};
  for (const auto& row : table) {
    if (row.name == phase) return row.predict;
  }
  return nullptr;
}

}  // namespace shishu::bench
