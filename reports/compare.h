// The regression gate: BASE against NEW, point by point, with how sure we are.
//
// Two inputs are accepted:
//  - two reports (unpaired): each metric's repetitions are the replicates;
//  - two sets of rounds (paired): the interleaved A/B of scripts/ab.sh, where round k
//    of BASE and round k of NEW ran back to back in separate processes. Each round
//    contributes one value per side (the median of its repetitions), and the per-round
//    ratios are what is estimated: drift of the machine between rounds cancels.
// Points are matched by id. Every sampled metric with a direction is estimated
// (reports/change.h); memory is compared by threshold in single reports and like a
// timing across rounds. The family of all estimated changes is corrected with
// Benjamini-Hochberg. Contexts must match (reports/context_guard.h).
#pragma once
#include <string>
#include <vector>

#include "reports/change.h"
#include "reports/loaded_report.h"
#include "reports/rounds.h"

namespace shishu::reports {

struct CompareOptions {
  ChangeOptions change;
  bool allow_context_mismatch = false;
};

struct PointComparison {
  std::string id;
  std::string base_status, current_status;
  bool status_regression = false;   // it ran before and fails now
  bool status_improvement = false;  // it failed before and runs now
  std::vector<std::string> environment_flags;  // either side, any round
  std::vector<Change> changes;
};

struct Comparison {
  bool paired = false;
  int rounds = 0;  // paired only
  std::vector<PointComparison> points;
  std::vector<std::string> added, removed;
  std::vector<std::string> context_mismatches;  // allowed ones, printed first
  std::vector<std::string> warnings;            // from either side's context and environment
  int corrected_for = 0;                        // m of Benjamini-Hochberg
  int regressions = 0, improvements = 0, inconclusive = 0;  // points
  std::string base_label, current_label;        // paths and commits, for the summary
};

// Throws std::invalid_argument (exit 2) for differing contexts (unless allowed), empty
// reports, or reports with no point in common.
Comparison compare_reports(const LoadedReport& base, const LoadedReport& current, const CompareOptions& options);
Comparison compare_rounds(const RoundSet& base, const RoundSet& current, const CompareOptions& options);

// Markdown fit for a CI job summary: the verdict, context mismatches and warnings, the
// method and its correction, then the changes (every one with all_points).
std::string comparison_markdown(const Comparison& c, const CompareOptions& options, bool all_points);

// The comparison as JSON, for tools: every change with its interval and verdict.
std::string comparison_json(const Comparison& c, const CompareOptions& options);

}  // namespace shishu::reports
