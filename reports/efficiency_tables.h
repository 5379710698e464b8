// The paper's efficiency tables (Tables 6-10) rebuilt from any report: rows are models,
// columns the swept axis. Which table reads which phase, axis and metric is data (the
// spec list in efficiency_tables.cpp); points that differ in any other axis (dtype,
// device, mode, batch, ...) go to separate tables, each captioned with those axes.
#pragma once
#include <string>
#include <vector>

#include "reports/loaded_report.h"
#include "reports/text_table.h"

namespace shishu::reports {

enum class TableFormat { kMarkdown, kCsv, kLatex };
TableFormat parse_table_format(const std::string& name);  // markdown | csv | latex

struct RenderedTable {
  std::string key;      // spec key, e.g. "forward"
  std::string title;    // e.g. "Forward latency (paper Table 6)"
  std::string caption;  // unit, statistic and the fixed axes, e.g. "ms, median of 3; bf16, cuda (NVIDIA H100), eager, batch 1"
  TextTable table;
};

// All tables the report has data for; `only` restricts to spec keys (empty: all).
std::vector<RenderedTable> efficiency_tables(const LoadedReport& report, const std::vector<std::string>& only = {});
std::vector<std::string> efficiency_table_keys();

std::string render(const std::vector<RenderedTable>& tables, TableFormat format);
// The report's context.notes (a merge's mixed devices or missing points), one line each
// in the format's comment or quote form, to print above the tables; empty without notes.
std::string context_notes(const LoadedReport& report, TableFormat format);

}  // namespace shishu::reports
