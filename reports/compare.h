// The CI regression gate: BASE against NEW, point by point.
//
// Points are matched by id (their axes). For each sampled metric both points have,
// the relative change of the medians decides together with a two-sided Mann-Whitney
// U test over the repetitions: a change counts only if it exceeds the metric's
// threshold AND the test rejects "no difference" at alpha. When the sample sizes
// cannot reach alpha at all (3 vs 3 repetitions cannot go below p = 0.1), the report
// says so and the threshold decides alone. Memory is compared by threshold only (one
// figure per point). Direction (is higher worse?) comes from the field table.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "reports/loaded_report.h"

namespace shishu::reports {

struct CompareOptions {
  double threshold_pct = 5.0;                        // default for every metric
  std::map<std::string, double> metric_threshold_pct;  // per-metric overrides
  double alpha = 0.05;
};

enum class Verdict { kSame, kBetter, kWorse };

struct MetricChange {
  std::string metric;
  double base = 0, current = 0;  // medians (sampled) or values (scalar)
  double change_pct = 0;         // (current - base) / base * 100
  bool tested = false;           // the U test could decide at these sample sizes
  double p_value = 1;
  Verdict verdict = Verdict::kSame;
  std::string word;  // "faster", "slower", "same", "larger", "smaller"
  std::string note;  // e.g. "too few repetitions (3 vs 3) for the test: threshold only"
};

struct PointComparison {
  std::string id;
  std::string base_status, current_status;
  std::vector<MetricChange> changes;
  bool regression = false;
  bool improvement = false;
};

struct Comparison {
  std::vector<PointComparison> points;  // matched points
  std::vector<std::string> added, removed;
  std::vector<std::string> context_warnings;
  int regressions = 0, improvements = 0;
};

Comparison compare_reports(const LoadedReport& base, const LoadedReport& current, const CompareOptions& options);

// Markdown fit for a CI job summary: verdict line, context warnings, changed points
// (all points with all_points), added and removed points.
std::string comparison_markdown(const Comparison& c, const LoadedReport& base, const LoadedReport& current,
                                bool all_points);

}  // namespace shishu::reports
