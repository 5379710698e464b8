#include "cli/phases_command.h"

#include <nlohmann/json.hpp>

#include <iostream>

#include "base/utf8.h"
#include "bench/phase_row.h"
#include "reports/text_table.h"

namespace shishu::cli {

int run_phases_command(bool json) {
  if (json) {
    std::cout << base::json_text(bench::phase_rows_json(), 2) << "\n";
    return 0;
  }
  reports::TextTable table;
  table.headers = {"phase", "also", "axes", "decode backend", "amp_bf16", "cold caches", "meaning"};
  table.align.assign(table.headers.size(), reports::Align::kLeft);
  for (const bench::PhaseRow* row : bench::phase_rows()) {
    std::string aliases, axes;
    for (const auto& a : row->aliases) aliases += (aliases.empty() ? "" : ", ") + a;
    for (const auto& use : row->shape) {
      axes += (axes.empty() ? "" : ", ") + std::string(bench::axis_name(use.axis));
      if (use.min > 1) axes += " >= " + std::to_string(use.min);
    }
    auto yes = [](bool b) { return std::string(b ? "yes" : "-"); };
    table.add_row({row->name, aliases, axes, yes(row->takes_backend), yes(row->mixed_precision), yes(row->cold_cache),
                   row->description});
  }
  std::cout << table.markdown();
  return 0;
}

}  // namespace shishu::cli
