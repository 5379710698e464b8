#include "bench/metrics.h"

#include <cmath>
#include <stdexcept>

namespace shishu::bench {

const std::vector<Metric>& metrics() {
  using D = Direction;
  using K = Kind;
  static const std::vector<Metric> kMetrics = {
      {"latency_ms", "latency", "ms", D::kLowerIsBetter, K::kSampled, "duration",
       "forward: one full-sequence forward; forward_backward: forward, loss and backward; generate: prefill plus all G tokens",
       kSummaryColumn},
      {"ttft_ms", "TTFT", "ms", D::kLowerIsBetter, K::kSampled, "duration",
       "generate: time to the first generated token (prefill and its argmax)", kSummaryColumn | kCounter},
      {"decode_step_ms", "decode step", "ms", D::kLowerIsBetter, K::kSampled, "duration",
       "generate: latency of each single-token decode step, pooled over steps and repetitions", kSummaryColumn},
      {"throughput_tok_s", "throughput", "tok/s", D::kHigherIsBetter, K::kSampled, "rate",
       "generate: batch*(G-1)/(total-TTFT) per repetition (paper Eq. 1 with the batch factor of its Table 10)",
       kSummaryColumn | kCounter},
      {"sample_noise_pct", "noise", "%", D::kLowerIsBetter, K::kScalar, "percent",
       "half-width of the distribution-free 95% confidence interval of the median latency, in % of the median "
       "(bench/sampling.h); absent below 6 samples"},
      {"sm_clock_mhz", "SM clock", "MHz", D::kNeutral, K::kSampled, "frequency",
       "CUDA: the SM clock (NVML) around each timed sample, the lower of the readings before and after it"},
      {"host_enqueue_ms", "host issue time", "ms", D::kNeutral, K::kSampled, "duration",
       "CUDA: host time from the sample's start mark until its last mark was queued; close to latency_ms when the "
       "GPU waits on the host"},
      {"host_share_pct", "host share", "%", D::kNeutral, K::kScalar, "percent",
       "CUDA: median host_enqueue_ms over median latency_ms; at 90% or more the figure is marked launch-bound (L)"},
      {"tokens_per_s", "tokens/s", "tok/s", D::kHigherIsBetter, K::kScalar, "rate",
       "forward phases: batch*seq / median latency; generate: batch*G / median latency"},
      {"model_flops", "model FLOPs", "FLOP", D::kNeutral, K::kScalar, "count",
       "matmul FLOPs of one repetition (backward counted as twice the forward)"},
      {"achieved_tflops", "achieved", "TFLOP/s", D::kHigherIsBetter, K::kScalar, "rate",
       "model_flops / median latency"},
      {"peak_flops_pct", "of peak FLOP/s", "%", D::kHigherIsBetter, K::kScalar, "percent",
       "achieved_tflops over the device's dense matmul peak for the dtype, where known"},
      {"measured_flops_pct", "of measured matmul", "%", D::kHigherIsBetter, K::kScalar, "percent",
       "achieved_tflops over the matmul ceiling measured on this device in this run (bench/ceilings.h)"},
      {"decode_bytes_per_step", "bytes/step", "bytes", D::kNeutral, K::kScalar, "bytes",
       "generate: least bytes one decode step reads (executed weights plus the KV cache at the mean length)"},
      {"moved_bytes", "bytes/pass", "bytes", D::kNeutral, K::kScalar, "bytes",
       "the sequence phases: least bytes one repetition moves (every executed weight read once per pass that "
       "uses it, the logits written; forward_backward and train_step: also the gradients, and train_step "
       "AdamW's reads and writes), a lower bound that leaves out activations"},
      {"achieved_bandwidth_gbs", "achieved BW", "GB/s", D::kHigherIsBetter, K::kScalar, "rate",
       "generate: decode_bytes_per_step / median decode step; the sequence phases: moved_bytes / median latency"},
      {"peak_bandwidth_pct", "of peak BW", "%", D::kHigherIsBetter, K::kScalar, "percent",
       "achieved_bandwidth_gbs over the device's memory bandwidth, where known"},
      {"measured_bandwidth_pct", "of measured copy BW", "%", D::kHigherIsBetter, K::kScalar, "percent",
       "achieved_bandwidth_gbs over the device-to-device copy ceiling measured in this run (bench/ceilings.h)"},
      {"cuda_peak_allocated_bytes", "CUDA peak allocated", "bytes", D::kLowerIsBetter, K::kScalar, "bytes",
       "caching allocator: peak bytes in live tensors during the point (peak reset at point start; weights included)",
       kReportOnly, nullptr, WhenZero::kWrite, "predicted_total_bytes"},
      {"cuda_peak_reserved_bytes", "CUDA peak reserved", "bytes", D::kLowerIsBetter, K::kScalar, "bytes",
       "caching allocator: peak bytes held from the driver, live or cached"},
      {"cuda_device_used_bytes", "device used", "bytes", D::kLowerIsBetter, K::kScalar, "bytes",
       "cudaMemGetInfo total - free at point end: every process and context on the device"},
      {"cpu_peak_rss_bytes", "peak RSS", "bytes", D::kLowerIsBetter, K::kScalar, "bytes",
       "process resident-set high-water mark (VmHWM) since its reset at point start via /proc/self/clear_refs; "
       "includes the weights, the LibTorch runtime and allocator slack",
       kReportOnly, nullptr, WhenZero::kWrite, "predicted_total_bytes"},
      {"cache_flush_bytes", "cold buffer", "bytes", D::kNeutral, K::kScalar, "bytes",
       "--l2-flush: the buffer overwritten before each sample (twice the last-level cache). It is outside the "
       "allocators' peaks, but resident, so it is inside cpu_peak_rss_bytes and cuda_device_used_bytes"},
      {"cpu_peak_allocated_bytes", "CPU peak allocated", "bytes", D::kLowerIsBetter, K::kScalar, "bytes",
       "counting CPU allocator: peak bytes in live tensors during the point (peak reset at point start; weights "
       "included), the CPU counterpart of cuda_peak_allocated_bytes",
       kReportOnly, nullptr, WhenZero::kWrite, "predicted_total_bytes"},
      {"cpu_allocated_start_bytes", "CPU allocated at start", "bytes", D::kNeutral, K::kScalar, "bytes",
       "counting CPU allocator: bytes in live tensors at point start (the weights, normally)"},
      {"cpu_rss_start_bytes", "RSS at start", "bytes", D::kNeutral, K::kScalar, "bytes",
       "process resident set (VmRSS) at point start, before inputs and cache"},
      {"predicted_weight_bytes", "weights (model)", "bytes", D::kNeutral, K::kScalar, "bytes",
       "analytic: distinct parameters x storage size; under amp_bf16 plus autocast's cached bf16 copy of each",
       kReportOnly, &Prediction::weight_bytes, WhenZero::kWrite},
      {"predicted_kv_cache_bytes", "KV cache (model)", "bytes", D::kNeutral, K::kScalar, "bytes",
       "analytic: batch x (prefill+G) x KV bytes per token",
       kReportOnly, &Prediction::kv_cache_bytes, WhenZero::kWrite},
      {"predicted_logits_bytes", "logits (model)", "bytes", D::kNeutral, K::kScalar, "bytes",
       "analytic: logits materialised (forward: B*T*V; generate: B*V; the training phases: the logits and the "
       "loss's fp32 input, B*(T-1)*V, and at backward's start the gradient of each)",
       kReportOnly, &Prediction::logits_bytes, WhenZero::kWrite},
      {"predicted_grad_bytes", "gradients (model)", "bytes", D::kNeutral, K::kScalar, "bytes",
       "analytic: forward_backward and train_step: one gradient per distinct parameter, in the weights' type",
       kReportOnly, &Prediction::grad_bytes, WhenZero::kWrite},
      {"predicted_optimizer_bytes", "optimizer state (model)", "bytes", D::kNeutral, K::kScalar, "bytes",
       "analytic: train_step: AdamW's two moments per distinct parameter, in the weights' type",
       kReportOnly, &Prediction::optimizer_bytes, WhenZero::kOmit},
      {"predicted_activation_bytes", "activations (model)", "bytes", D::kNeutral, K::kScalar, "bytes",
       "analytic estimate: forward_backward and train_step: the tensors autograd keeps for backward, per layer "
       "kind (bench::activation_bytes lists them); generate and decode: an inference forward's peak over the "
       "prompt or one chunk of it (bench::inference_activation_bytes), attention's scores over the cache at "
       "depth, and the rotary table", kReportOnly, &Prediction::activation_bytes, WhenZero::kOmit},
      {"predicted_transient_bytes", "backward transient (model)", "bytes", D::kNeutral, K::kScalar, "bytes",
       "analytic: forward_backward and train_step: at backward's end, the tied embedding's gradients summed out "
       "of place, two vocab x d_model tensors in the weights' type beyond the gradients "
       "(bench::backward_transient_bytes)", kReportOnly, &Prediction::transient_bytes, WhenZero::kOmit},
      {"predicted_total_bytes", "total (model)", "bytes", D::kNeutral, K::kScalar, "bytes",
       "analytic: the predicted peak. forward, generate: the sum of the terms (leaving out a few MB of "
       "short-lived intermediates); the training phases: weights + optimizer + the larger of backward's end "
       "(gradients + transient) and its start (activations + logits) (bench::training_peak_bytes)",
       kReportOnly, &Prediction::total_bytes, WhenZero::kWrite},
  };
  return kMetrics;
}

const Metric& metric(std::string_view key) {
  for (const auto& m : metrics()) {
    if (m.key == key) return m;
  }
  throw std::out_of_range("no metric '" + std::string(key) + "' in the field table");
}

const std::vector<std::string>& peak_memory_metrics() {
  static const std::vector<std::string> kKeys = {"cuda_peak_allocated_bytes", "cpu_peak_allocated_bytes",
                                                     "cpu_peak_rss_bytes"};
  return kKeys;
}

std::string implausible(const Metric& m, double value) {
  if (!std::isfinite(value)) return "not a finite number";
  const bool strictly_positive = m.format == "duration" || m.format == "frequency";
  if (strictly_positive && value <= 0) return "a " + std::string(m.format) + " must be above 0";
  if (value < 0) return std::string(m.format) + " cannot be negative";
  return "";
}

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::kLowerIsBetter: return "lower_is_better";
    case Direction::kHigherIsBetter: return "higher_is_better";
    case Direction::kNeutral: return "neutral";
  }
  return "neutral";
}

}  // namespace shishu::bench
