#include "bench/sweep.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "base/json_reader.h"
#include "bench/axis_values.h"
#include "bench/phase_row.h"

namespace shishu::bench_presets {
std::optional<std::string_view> find_embedded(std::string_view name);
std::vector<std::string_view> embedded_names();
}  // namespace shishu::bench_presets

namespace shishu::bench {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& origin, const std::string& what) {
  throw std::invalid_argument(origin + ": " + what);
}

// An axis is a JSON array of values or one string in the command-line grammar.
std::vector<std::string> string_axis(const json& v, const std::string& where) {
  if (v.is_string()) return parse_string_list(where, v.get<std::string>());
  if (!v.is_array() || v.empty()) bad(where, "must be a non-empty array or a comma-separated string");
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.is_string()) bad(where, "items must be strings, got " + item.dump());
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<int64_t> int_axis(const json& v, const std::string& where) {
  if (v.is_string()) return parse_int_list(where, v.get<std::string>());
  if (v.is_number_integer()) {
    if (v.get<int64_t>() <= 0) bad(where, "must be positive");
    return {v.get<int64_t>()};
  }
  if (!v.is_array() || v.empty()) bad(where, "must be a positive integer, an array of them, or a range string");
  std::vector<int64_t> out;
  for (const auto& item : v) {
    if (!item.is_number_integer() || item.get<int64_t>() <= 0) bad(where, "items must be positive integers, got " + item.dump());
    out.push_back(item.get<int64_t>());
  }
  return out;
}

std::string axis_keys() {
  std::string keys = "phase models dtype device mode";
  for (const auto& row : kAxisRows) keys += std::string(" ") + row.name;
  return keys;
}

void read_axes(const json& obj, Grid& g, const std::string& where) {
  for (const auto& [key, value] : obj.items()) {
    const std::string at = where + "." + key;
    if (key == "phase") {
      g.phases = parse_each(at, string_axis(value, at), [](std::string_view s) { return phase_row(s).name; });
    } else if (key == "models") {
      g.models = string_axis(value, at);
    } else if (key == "dtype") {
      g.dtypes = parse_each(at, string_axis(value, at), models::parse_dtype_name);
    } else if (key == "device") {
      g.devices = parse_each(at, string_axis(value, at), base::DeviceName::parse);
    } else if (key == "mode") {
      g.modes = parse_each(at, string_axis(value, at), models::parse_backend);
    } else if (const auto axis = find_axis(key)) {
      g.shape[*axis] = int_axis(value, at);
    } else {
      bad(where, "unknown axis '" + key + "' (axes: " + axis_keys() + ")");
    }
  }
}

template <typename T>
void inherit(std::vector<T>& axis, const std::vector<T>& fallback) {
  if (axis.empty()) axis = fallback;
}

void inherit(Grid& g, const Grid& defaults) {
  inherit(g.phases, defaults.phases);
  inherit(g.models, defaults.models);
  inherit(g.dtypes, defaults.dtypes);
  inherit(g.devices, defaults.devices);
  inherit(g.modes, defaults.modes);
  for (const auto& [axis, values] : defaults.shape) g.shape.emplace(axis, values);
}

// "sampling": {"max_noise_pct": 1, "min_samples": 10, "min_time_s": 0.5, "timeout_s": 15},
// any field omitted takes the default (bench/sampling.h); {} is every default.
NoiseRule read_noise_rule(const json& obj, const std::string& where) {
  if (!obj.is_object()) bad(where, "must be an object, e.g. {\"max_noise_pct\": 1}");
  NoiseRule rule;
  for (const auto& [key, value] : obj.items()) {
    const bool positive = value.is_number() && value.get<double>() > 0 && std::isfinite(value.get<double>());
    if (key == "max_noise_pct" && positive && value.get<double>() < 100) {
      rule.max_noise_pct = value.get<double>();
    } else if (key == "min_samples" && value.is_number_integer() && value.get<int64_t>() >= 1 &&
               value.get<int64_t>() <= 100000) {
      rule.min_samples = value.get<int>();
    } else if (key == "min_time_s" && (positive || (value.is_number() && value.get<double>() == 0))) {
      rule.min_time_s = value.get<double>();
    } else if (key == "timeout_s" && positive) {
      rule.timeout_s = value.get<double>();
    } else {
      bad(where, "'" + key + "': " + value.dump() +
                     " is not one of max_noise_pct (0-100), min_samples (>= 1), min_time_s (>= 0), timeout_s (> 0)");
    }
  }
  return rule;
}

}  // namespace

Sweep parse_sweep(const std::string& text, const std::string& origin) {
  const json doc = base::parse_json(text, origin);
  if (!doc.is_object()) bad(origin, "a preset must be a JSON object");
  static const std::set<std::string> known = {"name",    "description", "warmup",   "repetitions", "sampling",
                                              "seed",    "profile",     "defaults", "grids"};
  for (const auto& [key, value] : doc.items()) {
    if (!known.count(key)) bad(origin, "unknown key '" + key + "'");
  }
  Sweep s;
  // Text fields checked by type: json::value() throws on a field of another type (fuzzing).
  auto string_field = [&](const char* key, const std::string& fallback) {
    if (!doc.contains(key)) return fallback;
    if (!doc[key].is_string()) bad(origin, std::string(key) + " must be a string, not " + doc[key].dump());
    return doc[key].get<std::string>();
  };
  s.name = string_field("name", origin);
  s.description = string_field("description", "");
  auto positive_int = [&](const char* key, int fallback, int minimum) {
    if (!doc.contains(key)) return fallback;
    if (!doc[key].is_number_integer() || doc[key].get<int>() < minimum) {
      bad(origin, std::string(key) + " must be an integer >= " + std::to_string(minimum));
    }
    return doc[key].get<int>();
  };
  s.settings.warmup = positive_int("warmup", s.settings.warmup, 0);
  s.settings.repetitions = positive_int("repetitions", s.settings.repetitions, 1);
  s.settings.seed = static_cast<uint64_t>(positive_int("seed", 0, 0));
  if (doc.contains("sampling")) s.settings.noise = read_noise_rule(doc["sampling"], origin + ".sampling");
  if (doc.contains("profile")) {
    if (!doc["profile"].is_boolean()) bad(origin, "profile must be true or false");
    s.profile = doc["profile"].get<bool>();
  }

  Grid defaults;
  if (doc.contains("defaults")) {
    if (!doc["defaults"].is_object()) bad(origin, "defaults must be an object");
    read_axes(doc["defaults"], defaults, origin + ".defaults");
  }
  if (!doc.contains("grids") || !doc["grids"].is_array() || doc["grids"].empty()) {
    bad(origin, "needs a non-empty 'grids' array");
  }
  for (size_t i = 0; i < doc["grids"].size(); ++i) {
    const auto& obj = doc["grids"][i];
    const std::string where = origin + ".grids[" + std::to_string(i) + "]";
    if (!obj.is_object()) bad(where, "must be an object");
    Grid g;
    read_axes(obj, g, where);
    inherit(g, defaults);
    s.grids.push_back(std::move(g));
  }
  return s;
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (auto n : bench_presets::embedded_names()) {
    std::string name(n);
    names.push_back(name.substr(0, name.size() - 5));  // drop ".json"
  }
  return names;
}

Sweep load_sweep(const std::string& name_or_path) {
  if (auto text = bench_presets::find_embedded(name_or_path + ".json")) {
    return parse_sweep(std::string(*text), "preset " + name_or_path);
  }
  std::error_code ec;
  if (!std::filesystem::exists(name_or_path, ec)) {
    std::string names;
    for (const auto& n : preset_names()) names += " " + n;
    throw std::invalid_argument("no preset or file named '" + name_or_path + "'; presets:" + names);
  }
  return parse_sweep(base::read_text_file(name_or_path), name_or_path);
}

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

std::vector<Point> shard(const std::vector<Point>& points, int index, int count) {
  if (count < 1 || index < 0 || index >= count) {
    throw std::invalid_argument("shard " + std::to_string(index) + "/" + std::to_string(count) +
                                " is invalid: use i/N with 0 <= i < N");
  }
  std::vector<Point> mine;
  for (size_t i = static_cast<size_t>(index); i < points.size(); i += static_cast<size_t>(count)) mine.push_back(points[i]);
  return mine;
}

}  // namespace shishu::bench
