// The field table: every metric the harness records, defined once with its key, unit,
// direction and formatting hint. Results store metrics by key; every reporter, table
// and regression check reads name, unit and direction from here.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "bench/prediction.h"

namespace shishu::bench {

// A CUDA figure is marked launch-bound when the host spent at least this share of its
// interval issuing the work (host_share_pct): the GPU then mostly waited for launches.
inline constexpr double kLaunchBoundPct = 90.0;

enum class Direction { kLowerIsBetter, kHigherIsBetter, kNeutral };
enum class Kind { kSampled, kScalar };  // sampled: raw samples + statistics; scalar: one value

// Where a metric is shown beyond the report, as bits.
enum Shown : unsigned {
  kReportOnly = 0,
  kSummaryColumn = 1,  // a median column of the run's summary table (sampled metrics)
  kCounter = 2,        // handed to Google Benchmark as a counter of each repetition
};

// Whether a predicted_* figure is written when the phase's prediction of it is 0.
enum class WhenZero { kWrite, kOmit };

struct Metric {
  std::string_view key;    // JSON key, e.g. "latency_ms"
  std::string_view label;  // column header, e.g. "latency"
  std::string_view unit;   // "ms", "tok/s", "bytes", ...
  Direction direction;
  Kind kind;
  std::string_view format;  // nvbench-style hint: "duration", "rate", "bytes", "percent", "count", "frequency"
  std::string_view meaning;
  unsigned shown = kReportOnly;  // Shown bits
  // predicted_*: the field of the phase's prediction it records (bench/prediction.h).
  double Prediction::*prediction = nullptr;
  WhenZero when_zero = WhenZero::kWrite;
  // A measured figure's prediction: the metric it is set against ("" if none).
  std::string_view predicted_by = "";
};

const std::vector<Metric>& metrics();
// Throws std::out_of_range for a key not in the table: a typo must not pass silently.
const Metric& metric(std::string_view key);

std::string_view to_string(Direction d);

// Why `value` cannot be a figure of `m` ("" when it can): every figure is finite;
// durations and frequencies are above 0; bytes, counts, rates and percentages are not
// negative. Every reader of reports checks each value with it.
std::string implausible(const Metric& m, double value);

// Each device's own peak-memory figure, in the order tables and summaries prefer them
// (a point has one or the other: CUDA allocator peak, or CPU peak RSS).
const std::vector<std::string>& peak_memory_metrics();  // "lower_is_better", "higher_is_better", "neutral"

}  // namespace shishu::bench
