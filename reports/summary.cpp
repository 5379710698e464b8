#include "reports/summary.h"

#include <cmath>
#include <cstdio>

#include "bench/metrics.h"
#include "bench/stats.h"
#include "reports/text_table.h"

namespace shishu::reports {
namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Three significant figures without exponent noise for typical benchmark ranges.
std::string sig3(double v) {
  const double a = std::fabs(v);
  return fixed(v, a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

}  // namespace

std::string format_value(const std::string& key, double value) {
  const bench::Metric& m = bench::metric(key);
  if (m.format == "bytes") {
    if (std::fabs(value) >= 1e9) return fixed(value / 1e9, 2) + " GB";
    return fixed(value / 1e6, 1) + " MB";
  }
  if (m.format == "percent") return fixed(value, 1) + " %";
  return sig3(value) + " " + std::string(m.unit);
}

std::string markdown_summary(const std::vector<bench::PointResult>& results) {
  // Sampled metrics show median and CV; memory shows the device's own peak figure.
  const std::vector<std::string> sampled = {"latency_ms", "ttft_ms", "decode_step_ms", "throughput_tok_s"};
  TextTable t;
  t.headers = {"phase", "model", "dtype", "device", "mode", "shape", "status"};
  for (const auto& key : sampled) {
    const auto& m = bench::metric(key);
    t.headers.push_back(std::string(m.label) + " (median, " + std::string(m.unit) + ")");
  }
  t.headers.push_back("CV");
  t.headers.push_back("peak memory");
  t.headers.push_back("predicted (model)");
  t.align.assign(7, Align::kLeft);
  t.align.resize(t.headers.size(), Align::kRight);
  for (const auto& r : results) {
    const auto& p = r.point;
    std::string shape = "b" + std::to_string(p.batch) +
                        (p.phase == bench::Phase::kGenerate
                             ? " p" + std::to_string(p.prefill) + " g" + std::to_string(p.gen)
                             : " t" + std::to_string(p.seq));
    std::vector<std::string> row = {bench::to_string(p.phase), p.model, p.dtype, p.device, p.mode,
                                    shape, bench::to_string(r.status)};
    for (const auto& key : sampled) {
      auto it = r.samples.find(key);
      row.push_back(it == r.samples.end() ? "-" : sig3(bench::summarize(it->second).median));
    }
    auto lat = r.samples.find("latency_ms");
    row.push_back(lat == r.samples.end() ? "-" : fixed(100 * bench::summarize(lat->second).cv, 1) + " %");
    std::string peak = "-";
    for (const auto& key : bench::peak_memory_metrics()) {
      if (auto v = r.values.find(key); v != r.values.end()) {
        peak = format_value(key, v->second);
        break;
      }
    }
    row.push_back(peak);
    auto pred = r.values.find("predicted_total_bytes");
    row.push_back(pred == r.values.end() ? "-" : format_value("predicted_total_bytes", pred->second));
    if (r.status != bench::Status::kOk) {
      for (size_t i = 7; i < row.size(); ++i) row[i] = "-";
      row[6] += r.message.empty() ? "" : ": " + r.message.substr(0, 60);
    }
    t.add_row(row);
  }
  return t.markdown();
}

}  // namespace shishu::reports
