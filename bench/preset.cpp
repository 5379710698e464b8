#include "bench/preset.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
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

}  // namespace shishu::bench
