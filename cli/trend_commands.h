// `shishu-report history` (trends and change points over many reports) and
// `shishu-report export` (reports in the formats of existing dashboards).
#pragma once
#include <string>
#include <vector>

#include "reports/history.h"

namespace CLI {
class App;
}

namespace shishu::cli {

struct HistoryCommand {
  std::vector<std::string> inputs;  // report files or folders
  reports::HistoryOptions options;
  std::string format = "markdown", out;
};

struct ExportCommand {
  std::string report, format, out;
};

CLI::App* add_history_command(CLI::App& app, HistoryCommand& c);
int run_history_command(const HistoryCommand& c);
CLI::App* add_export_command(CLI::App& app, ExportCommand& c);
int run_export_command(const ExportCommand& c);

}  // namespace shishu::cli
