#include "bench/sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include "bench/phase_row.h"

namespace shishu::bench {

void apply_overrides(Sweep& sweep, const Overrides& o) {
  if (o.repetitions && (o.noise_pct || o.noise_timeout_s)) {
    throw std::invalid_argument("--reps asks for a fixed count, --noise/--noise-timeout for sampling until settled: "
                                "give one");
  }
  auto value = [](double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return std::string(text);
  };
  if (o.noise_pct && !(*o.noise_pct > 0 && *o.noise_pct < 100)) {
    throw std::invalid_argument("--noise " + value(*o.noise_pct) + " must be in (0, 100)");
  }
  if (o.noise_timeout_s && !(*o.noise_timeout_s > 0 && std::isfinite(*o.noise_timeout_s))) {
    throw std::invalid_argument("--noise-timeout " + value(*o.noise_timeout_s) + " must be a number of seconds > 0");
  }
  if (o.warmup) sweep.settings.warmup = *o.warmup;
  if (o.repetitions) {
    sweep.settings.repetitions = *o.repetitions;
    sweep.settings.noise.reset();
  }
  if (o.noise_pct || o.noise_timeout_s) {
    NoiseRule rule = sweep.settings.noise.value_or(NoiseRule{});
    if (o.noise_pct) rule.max_noise_pct = *o.noise_pct;
    if (o.noise_timeout_s) rule.timeout_s = *o.noise_timeout_s;
    sweep.settings.noise = rule;
  }
  if (o.seed) sweep.settings.seed = *o.seed;
  for (auto& g : sweep.grids) {
    if (o.phases) {
      std::vector<std::string> kept;
      for (const auto& p : g.phases) {
        if (std::find(o.phases->begin(), o.phases->end(), p) != o.phases->end()) kept.push_back(p);
      }
      g.phases = kept;
    }
    if (o.models) g.models = *o.models;
    if (o.dtypes) g.dtypes = *o.dtypes;
    if (o.devices) g.devices = *o.devices;
    if (o.modes) g.modes = *o.modes;
    for (const auto& [axis, values] : o.shape) g.shape[axis] = values;
  }
  if (o.warmup && *o.warmup < 0) throw std::invalid_argument("--warmup " + std::to_string(*o.warmup) + " must be >= 0");
  if (o.repetitions && *o.repetitions < 1) {
    throw std::invalid_argument("--reps " + std::to_string(*o.repetitions) + " must be >= 1");
  }
}

namespace {

// Every combination of `uses`' values, in the order of `uses` (the first varies slowest).
// An axis the grid leaves out that has a default is left out of the shape.
void cross_shape(const std::vector<AxisUse>& uses, const Grid& g, size_t next, Shape& shape,
                 const std::function<void(const Shape&)>& emit) {
  if (next == uses.size()) return emit(shape);
  const auto it = g.shape.find(uses[next].axis);
  if (it == g.shape.end()) {
    shape.erase(uses[next].axis);
    return cross_shape(uses, g, next + 1, shape, emit);
  }
  for (int64_t v : it->second) {
    shape[uses[next].axis] = v;
    cross_shape(uses, g, next + 1, shape, emit);
  }
}

// What an axis's value may not be beyond its own minimum: above the axis it is bounded
// by, or, summed over the phase's position axes, past the positions a cache can hold.
std::string shape_problem(const PhaseRow& phase, const Shape& s) {
  for (const auto& use : phase.shape) {
    if (!use.at_most || !s.count(use.axis) || !s.count(*use.at_most)) continue;
    if (s.at(use.axis) > s.at(*use.at_most)) {
      return std::string(axis_name(use.axis)) + " " + std::to_string(s.at(use.axis)) + " is above " +
             axis_name(*use.at_most) + " " + std::to_string(s.at(*use.at_most)) + ": it can be at most that";
    }
  }
  int64_t positions = 0;
  std::string terms;
  for (Axis a : phase.positions) {
    positions += s.count(a) ? s.at(a) : 0;
    terms += (terms.empty() ? "" : " + ") + std::string(axis_name(a)) + " " + std::to_string(s.count(a) ? s.at(a) : 0);
  }
  if (positions > kMaxPositions) {
    return terms + " = " + std::to_string(positions) + " positions, past the limit of " + std::to_string(kMaxPositions);
  }
  return "";
}

}  // namespace

std::vector<Point> expand(const Sweep& sweep) {
  std::vector<Point> points;
  std::set<std::string> seen;
  for (size_t gi = 0; gi < sweep.grids.size(); ++gi) {
    const Grid& g = sweep.grids[gi];
    const std::string where = sweep.name + " grid " + std::to_string(gi);
    auto require = [&](bool ok, const std::string& what) {
      if (!ok) throw std::invalid_argument(where + ": " + what);
    };
    if (g.phases.empty()) continue;  // filtered out by --phase
    require(!g.models.empty(), "no models");
    require(!g.dtypes.empty() && !g.devices.empty() && !g.modes.empty(),
            "needs dtype, device and mode (in the grid or in defaults)");
    for (const auto& phase_name : g.phases) {
      const PhaseRow& phase = phase_row(phase_name);
      for (const auto& use : phase.shape) {
        const auto it = g.shape.find(use.axis);
        if (it == g.shape.end() && use.default_value >= 0) continue;
        require(it != g.shape.end(), phase.name + " needs a " + axis_name(use.axis) + " axis");
        for (int64_t v : it->second) {
          require(v >= use.min, phase.name + ": " + axis_name(use.axis) + " " + std::to_string(v) + " is below " +
                                    std::to_string(use.min) + ": " + use.why_min);
        }
      }
      // A phase that takes no backend runs once, as eager, whatever the grid's modes.
      const std::vector<models::Backend> modes = phase.takes_backend ? g.modes : std::vector<models::Backend>{{}};
      Shape shape;
      for (const auto& model : g.models)
        for (const auto& dtype : g.dtypes)
          for (const auto& device : g.devices)
            for (const auto& mode : modes)
              cross_shape(phase.shape, g, 0, shape, [&](const Shape& s) {
                const std::string problem = shape_problem(phase, s);
                require(problem.empty(), phase.name + ": " + problem);
                Point p{model, phase.name, dtype, device, mode, s};
                if (seen.insert(p.id()).second) points.push_back(p);
              });
    }
  }
  if (points.empty()) throw std::invalid_argument(sweep.name + ": the sweep has no points (check --phase)");
  // Group by (model, dtype, device) in order of first appearance; stable within a group.
  std::map<std::string, size_t> first_seen;
  auto key = [](const Point& p) { return p.model + "|" + p.dtype.name + "|" + p.device.str(); };
  for (const auto& p : points) first_seen.emplace(key(p), first_seen.size());
  std::stable_sort(points.begin(), points.end(),
                   [&](const Point& a, const Point& b) { return first_seen[key(a)] < first_seen[key(b)]; });
  return points;
}

std::string skip_reason(const Point& p) {
  if (p.dtype.mixed() && !phase_row(p.phase).mixed_precision) {
    return p.dtype.name + " (mixed precision) applies to the training phases; generation runs in bf16";
  }
  return models::backend_unavailable(p.mode, p.device.kind);
}

}  // namespace shishu::bench
