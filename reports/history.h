// `shishu-report history`: what a nightly job keeps. Reports of one sweep over time,
// one trend per point and metric, and the change points in each trend.
//
// Reports are ordered by start time, then commit. Each report contributes one value per
// point and metric (the median of its repetitions): reports are separate processes, so
// these are independent replicates, unlike the repetitions inside one. A change point
// at report i compares the `window` reports before it with the `window` from it on,
// with the gate's own statistics (reports/change.h): Hodges-Lehmann shift, rank
// interval and the threshold, with Benjamini-Hochberg over the candidates of each trend.
// (Correcting over every trend at once would need windows of a dozen reports before a
// step confined to one trend could ever be found: the rank test's smallest p with 6
// reports a side is 2/924.) Of consecutive flagged candidates, the largest shift is kept.
#pragma once
#include <string>
#include <vector>

#include "reports/change.h"
#include "reports/loaded_report.h"

namespace shishu::reports {

struct HistoryOptions {
  ChangeOptions change;
  int window = 6;  // reports on each side of a candidate change point
};

struct Trend {
  std::string point_id, metric;
  std::vector<double> values;          // per report, in order; NaN where absent
  std::vector<Change> change_points;   // point_id of each is "report #i"
  std::vector<int> change_indices;     // report index where each change starts
};

struct History {
  std::vector<std::string> labels;  // per report: "started_at commit path"
  std::vector<Trend> trends;
  int candidates = 0;               // size of the largest corrected family (one trend's)
};

// Throws std::invalid_argument for fewer than two reports, a window below 1, or
// reports of different presets.
History build_history(std::vector<LoadedReport> reports, const HistoryOptions& options);

// Reports given as files or folders (folders are searched for report.json files).
std::vector<LoadedReport> load_history_inputs(const std::vector<std::string>& inputs);

std::string history_markdown(const History& h, const HistoryOptions& options);
std::string history_json(const History& h);

}  // namespace shishu::reports
