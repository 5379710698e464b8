#include "cli/trend_commands.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "base/utf8.h"
#include "cli/command_line.h"
#include "cli/output_target.h"
#include "reports/export.h"
#include "reports/report_json.h"

namespace shishu::cli {
CLI::App* add_history_command(CLI::App& app, HistoryCommand& c) {
  auto* cmd = app.add_subcommand("history", "Trends and change points over many reports of one sweep (a nightly job)");
  cmd->add_option("reports", c.inputs, "report.json files, or folders searched for them")->required();
  cmd->add_option("--window", c.options.window, "Reports on each side of a candidate change point")->capture_default_str();
  cmd->add_option("--threshold", c.options.change.threshold_pct, "Relative change (%) that matters")->capture_default_str();
  cmd->add_option("--confidence", c.options.change.confidence, "Confidence level of the intervals")->capture_default_str();
  cmd->add_option("--format", c.format, "markdown, or json (what scripts/plot.py history reads)")->capture_default_str();
  cmd->add_option("--out", c.out, "Write to this file instead of standard output")->check(writable_file());
  return cmd;
}

int run_history_command(const HistoryCommand& c) {
  if (c.format != "markdown" && c.format != "json") {
    throw std::invalid_argument("--format '" + c.format + "': use markdown or json");
  }
  c.options.change.validate();
  const reports::History h = reports::build_history(reports::load_history_inputs(c.inputs), c.options);
  write_or_print(c.out, c.format == "json" ? reports::history_json(h) : reports::history_markdown(h, c.options));
  return kExitOk;
}

CLI::App* add_export_command(CLI::App& app, ExportCommand& c) {
  auto* cmd = app.add_subcommand("export", "A report in a dashboard's format: Bencher (BMF) or github-action-benchmark");
  cmd->add_option("report", c.report, "report.json")->required();
  cmd->add_option("--format", c.format, "bencher or github-action-benchmark")->required();
  cmd->add_option("--out", c.out,
                  "bencher: the JSON file; github-action-benchmark: a folder that gets smaller-is-better.json and "
                  "bigger-is-better.json (default: standard output, both in one object)");
  return cmd;
}

int run_export_command(const ExportCommand& c) {
  const auto format = reports::parse_export_format(c.format);
  // The output's kind depends on the format, so it is checked here, still before any work.
  const std::string why = format == reports::ExportFormat::kBencher ? why_not_writable_file(c.out)
                          : c.out.empty() || c.out == "-"             ? ""
                                                                      : why_not_writable_folder(c.out);
  if (!why.empty()) throw std::invalid_argument("--out: " + why);
  const reports::LoadedReport r = reports::load_report(c.report);
  // A dashboard's series are measurements: a prediction would join them unmarked.
  reports::require_measured(r, "export");
  if (format == reports::ExportFormat::kBencher) {
    write_or_print(c.out, base::json_text(reports::bencher_metric_format(r), 2) + "\n");
    return kExitOk;
  }
  const auto both = reports::github_action_benchmark(r);
  if (c.out.empty() || c.out == "-") {
    std::cout << base::json_text(both, 2) << "\n";
    return kExitOk;
  }
  std::filesystem::create_directories(c.out);
  reports::write_file_atomic(c.out + "/smaller-is-better.json", base::json_text(both["customSmallerIsBetter"], 2) + "\n");
  reports::write_file_atomic(c.out + "/bigger-is-better.json", base::json_text(both["customBiggerIsBetter"], 2) + "\n");
  return kExitOk;
}

}  // namespace shishu::cli
