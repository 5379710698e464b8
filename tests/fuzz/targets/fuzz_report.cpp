// A report.json given to shishu-report: it is read and checked, then every command's
// computation runs on it (table in each format, arch, export in each format, merge,
// compare of two reports and of round folders, history). Bad input must come out as
// std::invalid_argument (exit 2, named); any other exception, crash or sanitizer report
// is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "our_words.h"
#include "reports/arch_compare.h"
#include "reports/compare.h"
#include "reports/efficiency_tables.h"
#include "reports/export.h"
#include "reports/history.h"
#include "reports/loaded_report.h"
#include "reports/merge.h"
#include "reports/report_json.h"
#include "reports/rounds.h"

using namespace shishu::reports;

namespace {

// The report's text, which a message may quote.
std::string input;

// Each command separately: one refusing the report must not hide a crash in the next.
template <class F>
void command(F&& f) {
  try {
    shishu::fuzz::require_our_words(f(), input);
  } catch (const std::invalid_argument& e) {
    shishu::fuzz::require_our_words(e.what(), input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  LoadedReport report;
  input.assign(reinterpret_cast<const char*>(data), size);
  try {
    report = report_from_json(parse_report(input, "fuzz.json"), "fuzz.json");
  } catch (const std::invalid_argument& e) {
    shishu::fuzz::require_our_words(e.what(), input);
    return 0;
  }
  for (auto format : {TableFormat::kMarkdown, TableFormat::kCsv, TableFormat::kLatex}) {
    command([&] { return render(efficiency_tables(report), format); });
  }
  command([&] { return architecture_comparison(report); });
  command([&] { return bencher_metric_format(report).dump(); });
  command([&] { return github_action_benchmark(report).dump(); });
  command([&] { return merge_reports({report, report}).report.dump(); });
  const CompareOptions options;
  command([&] {
    const Comparison c = compare_reports(report, report, options);
    return comparison_markdown(c, options, true) + comparison_json(c, options);
  });
  command([&] {
    RoundSet side;
    side.path = "side";
    side.names = {"round-01", "round-02", "round-03"};
    side.reports = {report, report, report};
    check_pairable(side, side);
    const Comparison c = compare_rounds(side, side, options);
    return comparison_markdown(c, options, false);
  });
  command([&] {
    const History h = build_history({report, report, report}, HistoryOptions());
    return history_markdown(h, HistoryOptions()) + history_json(h);
  });
  return 0;
}
