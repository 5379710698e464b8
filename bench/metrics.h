// The field table: every metric the harness records, defined once with its key, unit,
// direction and formatting hint. Results store metrics by key; every reporter, table
// and regression check reads name, unit and direction from here.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace shishu::bench {

// A CUDA figure is marked launch-bound when the host spent at least this share of its
// interval issuing the work (host_share_pct): the GPU then mostly waited for launches.
inline constexpr double kLaunchBoundPct = 90.0;

enum class Direction { kLowerIsBetter, kHigherIsBetter, kNeutral };
enum class Kind { kSampled, kScalar };  // sampled: raw samples + statistics; scalar: one value

struct Metric {
  std::string_view key;    // JSON key, e.g. "latency_ms"
  std::string_view label;  // column header, e.g. "latency"
  std::string_view unit;   // "ms", "tok/s", "bytes", ...
  Direction direction;
  Kind kind;
  std::string_view format;  // nvbench-style hint: "duration", "rate", "bytes", "percent", "count", "frequency"
  std::string_view meaning;
};

const std::vector<Metric>& metrics();
// Throws std::out_of_range for a key not in the table: a typo must not pass silently.
const Metric& metric(std::string_view key);

std::string_view to_string(Direction d);

// Each device's own peak-memory figure, in the order tables and summaries prefer them
// (a point has one or the other: CUDA allocator peak, or CPU peak RSS).
const std::vector<std::string>& peak_memory_metrics();  // "lower_is_better", "higher_is_better", "neutral"

}  // namespace shishu::bench
