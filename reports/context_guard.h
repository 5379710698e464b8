// What must match before two measurements may be compared: the hardware, the driver,
// the LibTorch, the dtypes, the build type and the compiler. A difference in any of them
// is a different experiment, not a regression, so comparing refuses it (exit 2, naming
// the field) unless the caller allows it; then the mismatch heads the summary.
#pragma once
#include <string>
#include <vector>

#include "reports/loaded_report.h"

namespace shishu::reports {

// The fields that differ between a and b, as "FIELD: 'A' (a) vs 'B' (b)" lines.
std::vector<std::string> context_mismatches(const LoadedReport& a, const LoadedReport& b);

// Throws std::invalid_argument naming the first differing field, unless `allow`; returns
// the mismatches either way.
std::vector<std::string> guard_context(const LoadedReport& base, const LoadedReport& current, bool allow);

// Warnings a reader of either report must see: the reports' own (non-Release build,
// injected slowdown, ...) and points measured under throttling or foreign load.
std::vector<std::string> context_warnings(const LoadedReport& r);

}  // namespace shishu::reports
