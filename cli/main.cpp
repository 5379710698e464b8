// shishu-bench: the command-line entry point. Subcommands:
//   models   the registry of paper variants (and custom layouts) as a table or JSON
//   run      a benchmark sweep through Google Benchmark into a JSON report
//   overhead the generation loop's cost over the bare decode step
// Flags starting with --benchmark_ are passed to Google Benchmark untouched.
// Exit status: 0 success, 1 a benchmark point failed, 2 bad input.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "cli/models_command.h"
#include "bench/decode_overhead.h"
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

  shishu::cli::RunOptions run_options;
  auto* run = app.add_subcommand("run", "Run a benchmark sweep (any --benchmark_* flag goes to Google Benchmark)");
  shishu::cli::add_run_options(*run, run_options);

  shishu::bench::OverheadOptions overhead_options;
  auto* overhead = app.add_subcommand("overhead", "Time generation's decode steps against the bare decode forward");
  overhead->add_option("--model", overhead_options.model, "Registry name or <base>:<layout>")->capture_default_str();
  overhead->add_option("--dtype", overhead_options.dtype)->capture_default_str();
  overhead->add_option("--device", overhead_options.device)->capture_default_str();
  overhead->add_option("--batch", overhead_options.batch)->capture_default_str()->check(CLI::PositiveNumber);
  overhead->add_option("--prefill", overhead_options.prefill)->capture_default_str()->check(CLI::PositiveNumber);
  overhead->add_option("--gen", overhead_options.gen)->capture_default_str()->check(CLI::Range(2, 1 << 20));
  overhead->add_option("--reps", overhead_options.repetitions)->capture_default_str()->check(CLI::PositiveNumber);

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

  try {
    app.parse(static_cast<int>(our_argv.size()), our_argv.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  try {
    if (models->parsed()) return shishu::cli::run_models_command(models_options);
    if (run->parsed()) return shishu::cli::run_sweep_command(run_options);
    if (overhead->parsed()) {
      const auto r = shishu::bench::measure_decode_overhead(overhead_options);
      std::printf("%s %s %s, batch %lld, prefill %lld, %lld new tokens, %d repetitions (+1 warm-up)\n",
                  overhead_options.model.c_str(), overhead_options.dtype.c_str(), overhead_options.device.c_str(),
                  static_cast<long long>(overhead_options.batch), static_cast<long long>(overhead_options.prefill),
                  static_cast<long long>(overhead_options.gen), overhead_options.repetitions);
      std::printf("decode step inside generate: median %.3f ms (p90 %.3f, n %lld)\n", r.generate_step_ms.median,
                  r.generate_step_ms.p90, static_cast<long long>(r.generate_step_ms.n));
      std::printf("bare forward_cached step:    median %.3f ms (p90 %.3f, n %lld)\n", r.bare_step_ms.median,
                  r.bare_step_ms.p90, static_cast<long long>(r.bare_step_ms.n));
      std::printf("ratio: %.3f\n", r.ratio);
      return 0;
    }
  } catch (const std::invalid_argument& e) {  // bad names, layouts, values (LayoutError too)
    std::cerr << "shishu-bench: error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
