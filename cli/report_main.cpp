// shishu-report: turns shishu-bench reports into tables, comparisons and merged reports.
//   table REPORT      the paper's Tables 6-10 (Markdown, CSV or LaTeX)
//   arch REPORT       ShishuLM variants against MobileLLM, beside the paper's figures
//   compare BASE NEW  the CI regression gate
//   merge A B ...     the shards of one sweep into one report
// Exit status: 0 success (compare: no regression), 1 compare found a regression,
// 2 bad input (unreadable, malformed or foreign report, bad flags).
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

#include "cli/command_line.h"
#include "reports/arch_compare.h"
#include "reports/compare.h"
#include "reports/efficiency_tables.h"
#include "reports/merge.h"
#include "reports/report_json.h"

namespace {

void write_or_print(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
  } else {
    shishu::reports::write_file_atomic(path, text);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shishu::reports;
  CLI::App app{"shishu-report: tables, architecture comparisons, regression gate and shard merging"};
  app.require_subcommand(1);

  std::string report_path, format = "markdown", out_path;
  std::vector<std::string> only;
  auto* table = app.add_subcommand("table", "The paper's efficiency tables (6-10) from a report");
  table->add_option("report", report_path, "report.json")->required();
  table->add_option("--format", format, "markdown, csv or latex")->capture_default_str();
  table->add_option("--only", only, "Tables to print: forward, forward_backward, generation, memory, throughput")
      ->delimiter(',');
  table->add_option("--out", out_path, "Write to this file instead of standard output");

  auto* arch = app.add_subcommand("arch", "ShishuLM variants against MobileLLM, with the paper's figures beside");
  arch->add_option("report", report_path, "report.json")->required();
  arch->add_option("--out", out_path, "Write to this file instead of standard output");

  std::string base_path, new_path, summary_path;
  std::vector<std::string> metric_thresholds;
  CompareOptions compare_options;
  bool all_points = false;
  auto* compare = app.add_subcommand("compare", "Regression gate: exit 1 if NEW regressed against BASE");
  compare->add_option("base", base_path, "Baseline report.json")->required();
  compare->add_option("new", new_path, "New report.json")->required();
  compare->add_option("--threshold", compare_options.threshold_pct, "Relative change (%) that counts, for every metric")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  compare->add_option("--metric-threshold", metric_thresholds, "Per-metric threshold, METRIC=PCT (repeatable)");
  compare->add_option("--alpha", compare_options.alpha, "Significance level of the Mann-Whitney U test")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  compare->add_option("--summary", summary_path, "Also write the Markdown summary here (e.g. $GITHUB_STEP_SUMMARY)");
  compare->add_flag("--all", all_points, "List unchanged metrics too");

  std::vector<std::string> shard_paths;
  auto* merge = app.add_subcommand("merge", "Merge the shard reports of one sweep");
  merge->add_option("reports", shard_paths, "Shard report.json files")->required()->expected(2, 1 << 16);
  merge->add_option("--out", out_path, "Merged report path (default: standard output)");

  if (auto status = shishu::cli::parse_or_exit(app, argc, argv)) return *status;

  try {
    if (table->parsed()) {
      const auto fmt = parse_table_format(format);
      write_or_print(out_path, render(efficiency_tables(load_report(report_path), only), fmt));
    } else if (arch->parsed()) {
      write_or_print(out_path, architecture_comparison(load_report(report_path)));
    } else if (compare->parsed()) {
      for (const auto& spec : metric_thresholds) {
        const auto eq = spec.find('=');
        if (eq == std::string::npos) throw std::invalid_argument("--metric-threshold '" + spec + "' must be METRIC=PCT");
        compare_options.metric_threshold_pct[spec.substr(0, eq)] = std::stod(spec.substr(eq + 1));
      }
      const LoadedReport base = load_report(base_path), current = load_report(new_path);
      const Comparison result = compare_reports(base, current, compare_options);
      const std::string text = comparison_markdown(result, base, current, all_points);
      std::cout << text;
      if (!summary_path.empty()) {
        std::ofstream(summary_path, std::ios::app) << text;  // appends: CI summaries collect several sections
      }
      return result.regressions ? shishu::cli::kExitFailed : shishu::cli::kExitOk;
    } else if (merge->parsed()) {
      std::vector<LoadedReport> shards;
      for (const auto& p : shard_paths) shards.push_back(load_report(p));
      write_or_print(out_path, merge_reports(shards).dump(2) + "\n");
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "shishu-report: error: " << e.what() << "\n";
    return shishu::cli::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "shishu-report: failed: " << e.what() << "\n";
    return shishu::cli::kExitFailed;
  }
  return shishu::cli::kExitOk;
}
