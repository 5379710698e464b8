// A report read back from disk: its context and its points as typed results.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "bench/result.h"

namespace shishu::reports {

struct LoadedReport {
  std::string path;
  nlohmann::json context;
  std::vector<bench::PointResult> points;
  // Written by `shishu-report predict` (context.predicted, and "predicted": true on
  // every point): figures of a cost model, never measured. A report is all one or all
  // the other; the loader refuses a mixture.
  bool predicted = false;

  const bench::PointResult* find(const std::string& id) const;
};

// Throws std::invalid_argument (path and reason) for unreadable, malformed or
// foreign files: the commands map that to exit status 2.
LoadedReport load_report(const std::string& path);
// The same from a document read_report() or parse_report() accepted; `path` names it.
LoadedReport report_from_json(const nlohmann::json& doc, const std::string& path);

// A predicted report is never set beside a measured one: `what` (merge, compare, ...)
// refuses the mixture, naming the first file of the minority kind. Throws
// std::invalid_argument.
void require_one_kind(const std::vector<const LoadedReport*>& reports, const std::string& what);
// Refuses a predicted report where only measurements may go (a calibration's input).
void require_measured(const LoadedReport& report, const std::string& what);
// What a reader of a predicted report's tables must know ("" for a measured report).
std::string predicted_note(const LoadedReport& report);

// Reads a metric's headline figure: the median of a sampled metric or a scalar's value.
// Returns false if the point lacks it.
bool headline(const bench::PointResult& r, const std::string& metric, double* out);

// The headline of the first of `metrics` the point has; returns that metric's key, or
// nullptr if it has none of them.
const std::string* first_headline(const bench::PointResult& r, const std::vector<std::string>& metrics, double* out);

}  // namespace shishu::reports
