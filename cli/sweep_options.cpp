// The sweep's axes on a command line, shared by `shishu-bench run` and
// `shishu-report predict` (which predicts the points run would measure): the preset,
// the phases, models, dtypes, devices, modes and shape axes, and the overrides they
// make to a preset.
#include <CLI/CLI.hpp>

#include "bench/axis_values.h"
#include "bench/phase_row.h"
#include "cli/run_command.h"

namespace shishu::cli {

namespace {

// A list flag's items, each through `parse`: where the text of an axis enters.
template <typename Parse>
auto parse_list(const char* flag, const std::optional<std::string>& text, Parse parse) {
  return bench::parse_each(flag, bench::parse_string_list(flag, *text), parse);
}

}  // namespace

bench::Overrides overrides_from(const RunOptions& o) {
  bench::Overrides ov;
  if (o.phases) ov.phases = parse_list("--phase", o.phases, [](std::string_view s) { return bench::phase_row(s).name; });
  if (o.models) ov.models = bench::parse_string_list("--models", *o.models);
  if (o.dtypes) ov.dtypes = parse_list("--dtype", o.dtypes, models::parse_dtype_name);
  if (o.devices) ov.devices = parse_list("--device", o.devices, base::DeviceName::parse);
  if (o.modes) ov.modes = parse_list("--mode", o.modes, models::parse_backend);
  if (o.cuda_graphs) ov.modes = std::vector<models::Backend>{models::parse_backend("cuda_graphs")};
  for (const auto& [axis, text] : o.shape) {
    if (text) ov.shape[axis] = bench::parse_int_list(bench::axis_row(axis).flag, *text);
  }
  ov.warmup = o.warmup;
  ov.repetitions = o.repetitions;
  ov.noise_pct = o.noise_pct;
  ov.noise_timeout_s = o.noise_timeout_s;
  ov.seed = o.seed;
  return ov;
}

void add_sweep_options(CLI::App& app, RunOptions& o) {
  app.add_option("--preset", o.preset, "Preset name (paper, cpu-default, ci-gpu) or a JSON file");
  app.add_option("--phase", o.phases, "Phases to keep (list): " + bench::phase_names());
  app.add_option("--models", o.models, "Models: registry names or <base>:<layout>, comma-separated");
  std::string dtypes;
  for (const auto& d : models::dtype_table()) dtypes += (dtypes.empty() ? "" : ", ") + d.name;
  app.add_option("--dtype", o.dtypes, dtypes + " (list)");
  app.add_option("--device", o.devices, "cpu, cuda, cuda:N (list)");
  app.add_option("--mode", o.modes, "Decode backends, for the phases that take one (list). " + models::backend_help());
  for (const auto& row : bench::kAxisRows) app.add_option(row.flag, o.shape[row.axis], row.help);
}

}  // namespace shishu::cli
