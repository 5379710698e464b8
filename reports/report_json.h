// The JSON report (schema "shishu-bench/report", version 1; reports/SCHEMA.md).
// Serialisation of points, their statistics and the run context; reading back for
// --resume, merge and compare.
#pragma once
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "bench/result.h"

namespace shishu::reports {

inline constexpr const char* kSchemaName = "shishu-bench/report";
inline constexpr int kSchemaVersion = 1;

nlohmann::json point_to_json(const bench::PointResult& r);
nlohmann::json profile_to_json(const profiles::ProfileSummary& s);
// Both throw std::invalid_argument naming the missing or malformed field, under `place`
// (e.g. "points[3]" gives "points[3].axes.batch: expected an integer, found string").
profiles::ProfileSummary profile_from_json(const nlohmann::json& j, const std::string& place = "profile");
bench::PointResult point_from_json(const nlohmann::json& j, const std::string& place = "point");

// The field table, as written into every report so a reader needs no other document.
nlohmann::json metrics_table_json();

nlohmann::json make_report(const nlohmann::json& context, const std::vector<bench::PointResult>& points);

// Reads and checks a report file: exit-2 class errors (unreadable, malformed, wrong
// schema or version) throw std::invalid_argument with the path and the reason.
nlohmann::json read_report(const std::string& path);
// The same checks on a report's text; `path` only names it in the messages.
nlohmann::json parse_report(const std::string& text, const std::string& path);

// A result could not be written (a full disk, a lost mount): a failure of the run (exit
// 1), not bad input. Callers add how to recover.
struct WriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes `text` to `path` atomically: a temporary file in the same folder, flushed and
// fsync'd, then renamed over the target. Readers see the old file or the new one. Throws
// WriteError, with the temporary file removed.
void write_file_atomic(const std::string& path, const std::string& text);

}  // namespace shishu::reports
