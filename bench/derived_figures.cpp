#include "bench/derived_figures.h"

#include "bench/metrics.h"
#include "bench/sampling.h"
#include "bench/stats.h"

namespace shishu::bench {

void record_prediction(Prediction pred, const models::Precision& precision, const DeviceInfo& dev, PointResult& r) {
  pred.total_bytes = pred.peak_bytes();
  for (const auto& m : metrics()) {
    if (!m.prediction) continue;
    const double value = pred.*m.prediction;
    if (value > 0 || m.when_zero == WhenZero::kWrite) r.set_value(std::string(m.key), value);
  }
  const double median_ms = summarize(r.samples.at("latency_ms")).median;
  if (const auto noise = median_noise_pct(r.samples.at("latency_ms"))) r.set_value("sample_noise_pct", *noise);
  r.set_value("tokens_per_s", pred.tokens / (median_ms / 1e3));
  r.set_value("model_flops", pred.flops);
  const double achieved = pred.flops / (median_ms / 1e3);
  r.set_value("achieved_tflops", achieved / 1e12);
  // Against the peak of the type the matmuls run in (bf16 under amp_bf16).
  const double peak = dev.peak_flops(precision.compute);
  if (peak > 0) r.set_value("peak_flops_pct", 100.0 * achieved / peak);
  if (const Ceilings* c = dev.measured_for(precision.compute)) {
    r.set_value("measured_flops_pct", 100.0 * achieved / c->matmul_flops_per_s);
  }
  const auto interval = r.samples.find(pred.bytes_interval);
  if (pred.bytes <= 0 || interval == r.samples.end()) return;
  const double bytes_per_s = pred.bytes / (summarize(interval->second).median / 1e3);
  r.set_value(pred.bytes_metric, pred.bytes);
  r.set_value("achieved_bandwidth_gbs", bytes_per_s / 1e9);
  if (dev.peak_bandwidth > 0) r.set_value("peak_bandwidth_pct", 100.0 * bytes_per_s / dev.peak_bandwidth);
  // Any measured copy ceiling of the device: the copy's bandwidth does not depend on the dtype.
  if (!dev.measured.empty()) {
    r.set_value("measured_bandwidth_pct", 100.0 * bytes_per_s / dev.measured.begin()->second.copy_bytes_per_s);
  }
}

}  // namespace shishu::bench
