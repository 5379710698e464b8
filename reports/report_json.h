// The JSON report (schema "shishu-bench/report", version 1; reports/SCHEMA.md).
// Serialisation of points, their statistics and the run context; reading back for
// --resume, merge and compare.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "bench/result.h"

namespace shishu::reports {

inline constexpr const char* kSchemaName = "shishu-bench/report";
inline constexpr int kSchemaVersion = 1;

nlohmann::json point_to_json(const bench::PointResult& r);
nlohmann::json profile_to_json(const profiles::ProfileSummary& s);
profiles::ProfileSummary profile_from_json(const nlohmann::json& j);
// Throws std::invalid_argument naming the missing or malformed field.
bench::PointResult point_from_json(const nlohmann::json& j);

// The field table, as written into every report so a reader needs no other document.
nlohmann::json metrics_table_json();

nlohmann::json make_report(const nlohmann::json& context, const std::vector<bench::PointResult>& points);

// Reads and checks a report file: exit-2 class errors (unreadable, malformed, wrong
// schema or version) throw std::invalid_argument with the path and the reason.
nlohmann::json read_report(const std::string& path);

// Writes `text` to `path` atomically: a temporary file in the same folder, flushed and
// fsync'd, then renamed over the target. Readers see the old file or the new one.
void write_file_atomic(const std::string& path, const std::string& text);

}  // namespace shishu::reports
