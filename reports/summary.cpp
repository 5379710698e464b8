#include "reports/summary.h"

#include <cmath>
#include <cstdio>

#include "bench/metrics.h"
#include "bench/stats.h"
#include "reports/point_flags.h"
#include "reports/text_table.h"

namespace shishu::reports {
namespace {

std::string fixed(double v, int digits) { return fixed_or_exponent(v, digits); }

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

std::string markdown_summary(const std::vector<bench::PointResult>& results, const nlohmann::json& context) {
  // The metric table's summary columns show their median, latency its CV; memory shows
  // the device's own peak figure beside the prediction it is set against.
  std::vector<std::string> sampled;
  for (const auto& m : bench::metrics()) {
    if (m.shown & bench::kSummaryColumn) sampled.emplace_back(m.key);
  }
  TextTable t;
  t.headers = {"phase", "model", "dtype", "device", "mode", "shape", "status"};
  for (const auto& key : sampled) {
    const auto& m = bench::metric(key);
    t.headers.push_back(std::string(m.label) + " (median, " + std::string(m.unit) + ")");
  }
  t.headers.push_back("CV");
  t.headers.push_back("peak memory");
  t.headers.push_back("predicted (model)");
  t.headers.push_back("flags");
  t.align.assign(7, Align::kLeft);
  t.align.resize(t.headers.size(), Align::kRight);
  t.align.back() = Align::kLeft;  // the flags: words
  for (const auto& r : results) {
    const auto& p = r.point;
    std::vector<std::string> row = {p.phase, p.model, p.dtype.name, p.device.str(), p.mode.name(), p.shape_text(),
                                    bench::to_string(r.status)};
    for (const auto& key : sampled) {
      auto it = r.samples.find(key);
      row.push_back(it == r.samples.end() ? "-" : sig3(bench::summarize(it->second).median));
    }
    auto lat = r.samples.find("latency_ms");
    row.push_back(lat == r.samples.end() ? "-" : fixed(100 * bench::summarize(lat->second).cv, 1) + " %");
    std::string peak = "-", predicted = "-";
    for (const auto& key : bench::peak_memory_metrics()) {
      if (auto v = r.values.find(key); v != r.values.end()) {
        peak = format_value(key, v->second);
        const std::string against(bench::metric(key).predicted_by);
        if (auto pred = r.values.find(against); pred != r.values.end()) predicted = format_value(against, pred->second);
        break;
      }
    }
    row.push_back(peak);
    row.push_back(predicted);
    std::string flags;
    for (const auto& f : point_flags(r, context)) flags += (flags.empty() ? "" : ", ") + f.label;
    row.push_back(flags.empty() ? "-" : flags);
    if (r.status != bench::Status::kOk) {
      for (size_t i = 7; i < row.size(); ++i) row[i] = "-";
      row[6] += r.message.empty() ? "" : ": " + r.message.substr(0, 60);
    }
    t.add_row(row);
  }
  return t.markdown();
}

}  // namespace shishu::reports
