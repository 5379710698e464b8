#include "cli/compare_command.h"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli/command_line.h"
#include "cli/output_target.h"
#include "reports/report_json.h"

namespace shishu::cli {

CLI::App* add_compare_command(CLI::App& app, CompareCommand& c) {
  auto* cmd = app.add_subcommand(
      "compare", "Regression gate: BASE against NEW (two report.json files, or two folders of interleaved A/B rounds)");
  cmd->add_option("base", c.base, "Baseline report.json, or a folder of rounds (scripts/ab.sh: AB/base)")->required();
  cmd->add_option("new", c.current, "New report.json, or a folder of rounds (AB/new)")->required();
  cmd->add_option("--threshold", c.options.change.threshold_pct, "Relative change (%) that matters, every metric")
      ->capture_default_str();
  cmd->add_option("--metric-threshold", c.metric_thresholds, "Per-metric threshold, METRIC=PCT (repeatable)");
  cmd->add_option("--confidence", c.options.change.confidence,
                  "Confidence level of the intervals, before the correction for many comparisons")
      ->capture_default_str();
  cmd->add_flag("--allow-context-mismatch", c.options.allow_context_mismatch,
                "Compare reports from different devices, drivers, LibTorch, dtypes, build types or compilers; the "
                "mismatch heads the summary");
  cmd->add_option("--summary", c.summary_path, "Also append the Markdown summary here (e.g. $GITHUB_STEP_SUMMARY)")
      ->check(appendable_file());
  cmd->add_option("--json", c.json_path, "Also write the comparison as JSON here")->check(writable_file());
  cmd->add_flag("--all", c.all, "List unchanged metrics too");
  return cmd;
}

int run_compare_command(CompareCommand& c) {
  for (const auto& spec : c.metric_thresholds) {
    const auto eq = spec.find('=');
    // The whole of PCT must be the number: std::stod would read "3abc" as 3.
    const std::string pct_text = eq == std::string::npos ? "" : spec.substr(eq + 1);
    char* end = nullptr;
    const double pct = std::strtod(pct_text.c_str(), &end);
    if (pct_text.empty() || *end != '\0') {
      throw std::invalid_argument("--metric-threshold '" + spec + "' must be METRIC=PCT, e.g. latency_ms=3");
    }
    c.options.change.metric_threshold_pct[spec.substr(0, eq)] = pct;
  }
  c.options.change.validate();  // before anything is read
  const bool base_rounds = reports::is_round_folder(c.base), new_rounds = reports::is_round_folder(c.current);
  if (base_rounds != new_rounds) {
    throw std::invalid_argument("one side is a folder of rounds and the other a single report (" + c.base + ", " +
                                c.current + "): a paired comparison needs rounds on both sides");
  }
  // Base first, so that an error names the first bad input the user gave.
  reports::Comparison result;
  if (base_rounds) {
    const reports::RoundSet base = reports::load_rounds(c.base);
    result = reports::compare_rounds(base, reports::load_rounds(c.current), c.options);
  } else {
    const reports::LoadedReport base = reports::load_report(c.base);
    result = reports::compare_reports(base, reports::load_report(c.current), c.options);
  }
  const std::string text = reports::comparison_markdown(result, c.options, c.all);
  std::cout << text;
  if (!c.summary_path.empty()) {
    std::ofstream summary(c.summary_path, std::ios::app);  // appends: CI summaries collect several sections
    summary << text;
    summary.flush();
    if (!summary) throw reports::WriteError("cannot append to " + c.summary_path + ": " + std::strerror(errno));
  }
  if (!c.json_path.empty()) reports::write_file_atomic(c.json_path, reports::comparison_json(result, c.options));
  return result.regressions ? kExitFailed : kExitOk;
}

}  // namespace shishu::cli
