// shishu-bench: the command-line entry point. Subcommands:
//   models   the registry of paper variants (and custom layouts) as a table or JSON
//   phases   the phases, their shape axes and traits
//   run      a benchmark sweep through Google Benchmark into a JSON report
//   overhead the generation loop's cost over the bare decode step
//   ceilings the device's measured copy bandwidth and matmul FLOP/s
//   export, generate, evaluate: checkpoints (cli/checkpoint_commands.h)
// Flags starting with --benchmark_ are passed to Google Benchmark untouched.
// Exit status: 0 success, 1 a benchmark point failed, 2 bad input.
#include <CLI/CLI.hpp>

#include <iostream>
#include <stdexcept>

#include "base/utf8.h"
#include "cli/ceilings_command.h"
#include "cli/checkpoint_commands.h"
#include "cli/command_line.h"
#include "cli/models_command.h"
#include "cli/overhead_command.h"
#include "cli/phases_command.h"
#include "cli/run_command.h"

int main(int argc, char** argv) {
  CLI::App app{"shishu-bench: benchmark and profiling harness for MobileLLM / ShishuLM architectures"};
  app.require_subcommand(1);

  shishu::cli::ModelsOptions models_options;
  auto* models = app.add_subcommand("models", "Print the model registry: layouts, widths, parameter and byte counts");
  models->add_flag("--json", models_options.json, "Print JSON instead of a Markdown table");
  models->add_option("--also", models_options.extra,
                     "Custom models to list after the registry, as <base>:<layout> (e.g. 125m:10+20)")
      ->delimiter(',');

  bool phases_json = false;
  auto* phases = app.add_subcommand("phases", "Print the phases: their shape axes, traits and meaning");
  phases->add_flag("--json", phases_json, "Print their declarations as JSON");

  shishu::cli::RunOptions run_options;
  auto* run = app.add_subcommand("run", "Run a benchmark sweep (any --benchmark_* flag goes to Google Benchmark)");
  shishu::cli::add_run_options(*run, run_options);

  shishu::bench::OverheadOptions overhead_options;
  auto* overhead = app.add_subcommand("overhead", "Time generation's decode steps against the bare decode forward");
  shishu::cli::add_overhead_options(*overhead, overhead_options);

  shishu::cli::CeilingsOptions ceilings_options;
  auto* ceilings = app.add_subcommand("ceilings", "Measure the device's copy bandwidth and matmul FLOP/s (the roofline)");
  shishu::cli::add_ceilings_options(*ceilings, ceilings_options);

  shishu::cli::CheckpointOptions export_options, generate_options, evaluate_options;
  auto* export_cmd = app.add_subcommand("export", "Write a model's weights as a Hugging Face safetensors checkpoint");
  shishu::cli::add_export_options(*export_cmd, export_options);
  auto* generate = app.add_subcommand("generate", "Greedy decoding: prints the new token ids on stdout");
  shishu::cli::add_generate_options(*generate, generate_options);
  auto* evaluate = app.add_subcommand("evaluate", "Logits (and loss and gradient norms) of one sequence, as safetensors");
  shishu::cli::add_evaluate_options(*evaluate, evaluate_options);

  std::vector<std::string> ours;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    run_options.command_line += (i ? " " : "") + arg;
    if (arg.rfind("--benchmark_", 0) == 0) {
      run_options.benchmark_args.push_back(arg);
    } else {
      ours.push_back(arg);
    }
  }
  std::vector<char*> our_argv;
  for (auto& a : ours) our_argv.push_back(a.data());

  if (auto status = shishu::cli::parse_or_exit(app, static_cast<int>(our_argv.size()), our_argv.data())) return *status;

  try {
    if (models->parsed()) return shishu::cli::run_models_command(models_options);
    if (phases->parsed()) return shishu::cli::run_phases_command(phases_json);
    if (run->parsed()) return shishu::cli::run_sweep_command(run_options);
    if (overhead->parsed()) return shishu::cli::run_overhead_command(overhead_options);
    if (ceilings->parsed()) return shishu::cli::run_ceilings_command(ceilings_options);
    if (export_cmd->parsed()) return shishu::cli::run_export_command(export_options);
    if (generate->parsed()) return shishu::cli::run_generate_command(generate_options);
    if (evaluate->parsed()) return shishu::cli::run_evaluate_command(evaluate_options);
  } catch (const std::invalid_argument& e) {  // bad names, layouts, values (LayoutError too)
    std::cerr << "shishu-bench: error: " << shishu::base::valid_utf8(e.what()) << "\n";
    return shishu::cli::kExitBadInput;
  } catch (const std::exception& e) {  // anything else is a failure of the run itself
    std::cerr << "shishu-bench: failed: " << shishu::base::valid_utf8(e.what()) << "\n";
    return shishu::cli::kExitFailed;
  }
  return shishu::cli::kExitOk;
}
