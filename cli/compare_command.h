// `shishu-report compare`: the regression gate over two reports or two folders of A/B
// rounds. Exit status: 0 no regression, 1 a regression, 2 bad or foreign input.
#pragma once
#include <string>
#include <vector>

#include "reports/compare.h"

namespace CLI {
class App;
}

namespace shishu::cli {

struct CompareCommand {
  std::string base, current;                    // report files, or folders of rounds
  std::vector<std::string> metric_thresholds;  // METRIC=PCT
  reports::CompareOptions options;
  std::string summary_path, json_path;
  bool all = false;
};

CLI::App* add_compare_command(CLI::App& app, CompareCommand& c);
int run_compare_command(CompareCommand& c);

}  // namespace shishu::cli
