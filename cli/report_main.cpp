// shishu-report: turns shishu-bench reports into tables, comparisons and merged reports.
//   table REPORT      the paper's Tables 6-10 (Markdown, CSV or LaTeX)
//   arch REPORT       ShishuLM variants against MobileLLM, beside the paper's figures
//   compare BASE NEW  the CI regression gate (two reports, or two folders of A/B rounds)
//   merge A B ...     the shards of one sweep into one report
//   history R...      trends and change points over many reports (a nightly job)
//   export R          a report in Bencher's or github-action-benchmark's format
//   calibrate, cross-validate, predict, plan   the layout planner (cli/planner_commands.h)
// A report that `predict` wrote is marked predicted: the tables say so, and merge,
// compare and history refuse it beside a measured one.
// Exit status: 0 success (compare: no regression), 1 compare found a regression,
// 2 bad input (unreadable, malformed or foreign report, bad flags), 3 merge is incomplete
// (points or shards missing; the merged report is still written, naming them).
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

#include "base/utf8.h"
#include "bench/phase_row.h"
#include "cli/command_line.h"
#include "cli/compare_command.h"
#include "cli/output_target.h"
#include "cli/planner_commands.h"
#include "cli/trend_commands.h"
#include "reports/arch_compare.h"
#include "reports/efficiency_tables.h"
#include "reports/long_context.h"
#include "reports/merge.h"
#include "reports/report_json.h"

int main(int argc, char** argv) {
  // This program links no phase file: it knows the phases by their declarations.
  shishu::bench::register_builtin_phase_declarations();
  using namespace shishu::reports;
  CLI::App app{"shishu-report: tables, architecture comparisons, regression gate, history, export, shard merging "
               "and the layout planner"};
  app.require_subcommand(1);

  std::string report_path, format = "markdown", out_path;
  std::vector<std::string> only;
  auto* table = app.add_subcommand("table", "The paper's efficiency tables (6-10) from a report");
  table->add_option("report", report_path, "report.json")->required();
  table->add_option("--format", format, "markdown, csv or latex")->capture_default_str();
  table->add_option("--only", only, "Tables to print: forward, forward_backward, generation, memory, throughput")
      ->delimiter(',');
  table->add_option("--out", out_path, "Write to this file instead of standard output")->check(shishu::cli::writable_file());

  auto* arch = app.add_subcommand("arch", "ShishuLM variants against MobileLLM, with the paper's figures beside");
  arch->add_option("report", report_path, "report.json")->required();
  arch->add_option("--out", out_path, "Write to this file instead of standard output")->check(shishu::cli::writable_file());

  double memory_gb = 0;
  auto* long_context = app.add_subcommand("long-context", "Decode at depth: ms a token, speed-up and longest fit, per scale");
  long_context->add_option("report", report_path, "report.json with decode points")->required();
  long_context->add_option("--memory-gb", memory_gb, "The memory the longest fit is for (default: the report's device's)")
      ->check(CLI::PositiveNumber);
  long_context->add_option("--out", out_path, "Write to this file instead of standard output")
      ->check(shishu::cli::writable_file());

  shishu::cli::CompareCommand compare_command;
  auto* compare = shishu::cli::add_compare_command(app, compare_command);

  shishu::cli::HistoryCommand history_command;
  auto* history = shishu::cli::add_history_command(app, history_command);
  shishu::cli::ExportCommand export_command;
  auto* export_ = shishu::cli::add_export_command(app, export_command);

  std::vector<std::string> shard_paths;
  auto* merge = app.add_subcommand("merge", "Merge the shard reports of one sweep");
  bool allow_mixed_devices = false;
  merge->add_option("reports", shard_paths, "Shard report.json files")->required()->expected(1, 1 << 16);
  merge->add_option("--out", out_path, "Merged report path (default: standard output)")->check(shishu::cli::writable_file());
  merge->add_flag("--allow-mixed-devices", allow_mixed_devices,
                  "Merge shards measured on differently named devices of one kind (an H100 and an A100); a note says so");

  shishu::cli::CalibrateCommand calibrate_command;
  auto* calibrate = shishu::cli::add_calibrate_command(app, calibrate_command);
  shishu::cli::CrossValidateCommand cross_validate_command;
  auto* cross_validate = shishu::cli::add_cross_validate_command(app, cross_validate_command);
  shishu::cli::PredictCommand predict_command;
  auto* predict = shishu::cli::add_predict_command(app, predict_command);
  shishu::cli::PlanCommand plan_command;
  auto* plan = shishu::cli::add_plan_command(app, plan_command);

  if (auto status = shishu::cli::parse_or_exit(app, argc, argv)) return *status;

  try {
    if (table->parsed()) {
      const auto fmt = parse_table_format(format);
      const LoadedReport report = load_report(report_path);
      shishu::cli::write_or_print(out_path, context_notes(report, fmt) + render(efficiency_tables(report, only), fmt));
    } else if (arch->parsed()) {
      const LoadedReport report = load_report(report_path);
      shishu::cli::write_or_print(out_path, context_notes(report, TableFormat::kMarkdown) + architecture_comparison(report));
    } else if (long_context->parsed()) {
      const LoadedReport report = load_report(report_path);
      shishu::cli::write_or_print(out_path, context_notes(report, TableFormat::kMarkdown) +
                                                long_context_tables(report, fit_memory_bytes(report, memory_gb)));
    } else if (compare->parsed()) {
      return shishu::cli::run_compare_command(compare_command);
    } else if (history->parsed()) {
      return shishu::cli::run_history_command(history_command);
    } else if (export_->parsed()) {
      return shishu::cli::run_export_command(export_command);
    } else if (calibrate->parsed()) {
      return shishu::cli::run_calibrate_command(calibrate_command);
    } else if (cross_validate->parsed()) {
      return shishu::cli::run_cross_validate_command(cross_validate_command);
    } else if (predict->parsed()) {
      return shishu::cli::run_predict_command(predict_command);
    } else if (plan->parsed()) {
      return shishu::cli::run_plan_command(plan_command);
    } else if (merge->parsed()) {
      std::vector<LoadedReport> shards;
      for (const auto& p : shard_paths) shards.push_back(load_report(p));
      const MergeResult merged = merge_reports(shards, allow_mixed_devices);
      shishu::cli::write_or_print(out_path, shishu::base::json_text(merged.report, 2) + "\n");
      if (!merged.complete()) {
        std::cerr << "shishu-report: incomplete: " << merged.missing_points.size() << " point(s) missing";
        for (const auto& s : merged.missing_shards) std::cerr << "; no report from shard " << s;
        std::cerr << "\n";
        for (const auto& id : merged.missing_points) std::cerr << "  missing: " << shishu::base::valid_utf8(id) << "\n";
        return shishu::cli::kExitIncomplete;
      }
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "shishu-report: error: " << shishu::base::valid_utf8(e.what()) << "\n";
    return shishu::cli::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "shishu-report: failed: " << shishu::base::valid_utf8(e.what()) << "\n";
    return shishu::cli::kExitFailed;
  }
  return shishu::cli::kExitOk;
}
