// A sweep is data: named presets (JSON, bench/presets/; read by bench/preset.h) made of
// grids, each a cartesian product of axes, plus command-line overrides. expand() turns
// it into the ordered list of points to run.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bench/point.h"
#include "bench/sampling.h"

namespace shishu::bench {

// Every axis a value, parsed where the text entered (the preset, a flag). phases hold
// canonical names (bench/phase_row.h); models are checked before a run, with the
// checkpoint they may come from (cli/run_command.cpp).
struct Grid {
  std::vector<std::string> phases, models;
  std::vector<models::Dtype> dtypes;
  std::vector<base::DeviceName> devices;
  std::vector<models::Backend> modes;
  std::map<Axis, std::vector<int64_t>> shape;
};

struct SweepSettings {
  int warmup = 1;       // untimed runs per point before the repetitions
  int repetitions = 3;  // timed runs per point (the paper averaged 3 trials), unless `noise`
  uint64_t seed = 0;    // weights and input tokens
  std::optional<NoiseRule> noise;  // set: sample until settled (bench/sampling.h), not `repetitions`
  bool l2_flush = false;  // cold samples: the last-level cache overwritten before each (bench/cache_flush.h)
};

struct Sweep {
  std::string name, description;
  SweepSettings settings;
  bool profile = false;  // one untimed, traced pass per point, as `run --profile`
  std::vector<Grid> grids;
};

// Command-line replacements; each set axis replaces that axis in every grid, except
// phases, which filters: only grids' phases also listed run.
struct Overrides {
  std::optional<std::vector<std::string>> phases, models;
  std::optional<std::vector<models::Dtype>> dtypes;
  std::optional<std::vector<base::DeviceName>> devices;
  std::optional<std::vector<models::Backend>> modes;
  std::map<Axis, std::vector<int64_t>> shape;
  std::optional<int> warmup, repetitions;  // --reps: a fixed count, whatever the preset says
  std::optional<double> noise_pct, noise_timeout_s;  // --noise, --noise-timeout: noise-driven sampling
  std::optional<uint64_t> seed;
};

void apply_overrides(Sweep& sweep, const Overrides& overrides);

// All points, validated (throws std::invalid_argument naming the bad value, e.g. a
// generation length below 2), deduplicated, and ordered so that points sharing a
// model, dtype and device run back to back: each model is built once. Each phase is
// crossed with the axes its row declares, and with the backend axis only if it takes one.
std::vector<Point> expand(const Sweep& sweep);

// Why the point cannot run on any machine (amp_bf16 outside training, a peer's
// figures), or why not on its device's kind (a backend's devices); "" if it can.
std::string skip_reason(const Point& p);

// Each of the comma-separated `texts` through `parse`, its error prefixed with `where`:
// the one way text becomes a typed axis value.
template <typename Parse>
auto parse_each(const std::string& where, const std::vector<std::string>& texts, Parse parse) {
  std::vector<decltype(parse(std::string_view()))> values;
  for (const auto& t : texts) {
    try {
      values.push_back(parse(t));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
  }
  return values;
}


}  // namespace shishu::bench
