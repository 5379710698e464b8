#include "bench/sweep.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

#include "bench/axis_values.h"

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

void read_axes(const json& obj, Grid& g, const std::string& where) {
  static const std::set<std::string> known = {"phase", "models", "dtype", "device", "mode",
                                              "batch", "seq",    "prefill", "gen"};
  for (const auto& [key, value] : obj.items()) {
    const std::string at = where + "." + key;
    if (!known.count(key)) bad(where, "unknown axis '" + key + "' (axes: phase models dtype device mode batch seq prefill gen)");
    if (key == "phase") g.phases = string_axis(value, at);
    if (key == "models") g.models = string_axis(value, at);
    if (key == "dtype") g.dtypes = string_axis(value, at);
    if (key == "device") g.devices = string_axis(value, at);
    if (key == "mode") g.modes = string_axis(value, at);
    if (key == "batch") g.batch = int_axis(value, at);
    if (key == "seq") g.seq = int_axis(value, at);
    if (key == "prefill") g.prefill = int_axis(value, at);
    if (key == "gen") g.gen = int_axis(value, at);
  }
}

template <typename T>
void inherit(std::vector<T>& axis, const std::vector<T>& fallback) {
  if (axis.empty()) axis = fallback;
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
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number that overflows (fuzzing)
    bad(origin, std::string("malformed JSON: ") + e.what());
  }
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
    inherit(g.phases, defaults.phases);
    inherit(g.models, defaults.models);
    inherit(g.dtypes, defaults.dtypes);
    inherit(g.devices, defaults.devices);
    inherit(g.modes, defaults.modes);
    inherit(g.batch, defaults.batch);
    inherit(g.seq, defaults.seq);
    inherit(g.prefill, defaults.prefill);
    inherit(g.gen, defaults.gen);
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
  std::ifstream in(name_or_path);
  if (!in) {
    std::string names;
    for (const auto& n : preset_names()) names += " " + n;
    throw std::invalid_argument("no preset or file named '" + name_or_path + "'; presets:" + names);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_sweep(buffer.str(), name_or_path);
}

void apply_overrides(Sweep& sweep, const Overrides& o) {
  if (o.repetitions && (o.noise_pct || o.noise_timeout_s)) {
    throw std::invalid_argument("--reps asks for a fixed count, --noise/--noise-timeout for sampling until settled: "
                                "give one");
  }
  if (o.noise_pct && !(*o.noise_pct > 0 && *o.noise_pct < 100)) throw std::invalid_argument("--noise must be in (0, 100)");
  if (o.noise_timeout_s && !(*o.noise_timeout_s > 0)) throw std::invalid_argument("--noise-timeout must be > 0");
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
        for (const auto& want : *o.phases) {
          if (parse_phase(p) == parse_phase(want)) kept.push_back(p);
        }
      }
      g.phases = kept;
    }
    if (o.models) g.models = *o.models;
    if (o.dtypes) g.dtypes = *o.dtypes;
    if (o.devices) g.devices = *o.devices;
    if (o.modes) g.modes = *o.modes;
    if (o.batch) g.batch = *o.batch;
    if (o.seq) g.seq = *o.seq;
    if (o.prefill) g.prefill = *o.prefill;
    if (o.gen) g.gen = *o.gen;
  }
  if (o.warmup && *o.warmup < 0) throw std::invalid_argument("--warmup must be >= 0");
  if (o.repetitions && *o.repetitions < 1) throw std::invalid_argument("--reps must be >= 1");
}

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
    require(!g.dtypes.empty() && !g.devices.empty() && !g.modes.empty() && !g.batch.empty(),
            "needs dtype, device, mode and batch (in the grid or in defaults)");
    for (const auto& phase_name : g.phases) {
      const Phase phase = parse_phase(phase_name);
      const bool generate = traits(phase).generates;
      if (generate) {
        require(!g.prefill.empty() && !g.gen.empty(), "generate needs prefill and gen axes");
        for (int64_t gen : g.gen) {
          require(gen >= 2, "gen " + std::to_string(gen) +
                                " is too short: throughput = batch*(G-1)/(total-TTFT) needs G >= 2");
        }
      } else {
        require(!g.seq.empty(), to_string(phase) + " needs a seq axis");
      }
      if (traits(phase).needs_loss) {
        for (int64_t seq : g.seq) require(seq >= 2, to_string(phase) + " needs seq >= 2 for a next-token loss");
      }
      const std::vector<int64_t> one = {0};
      for (const auto& model : g.models)
        for (const auto& dtype : g.dtypes)
          for (const auto& device : g.devices)
            for (const auto& mode : g.modes)
              for (int64_t batch : g.batch)
                for (int64_t seq : generate ? one : g.seq)
                  for (int64_t prefill : generate ? g.prefill : one)
                    for (int64_t gen : generate ? g.gen : one) {
                      Point p{model, phase, batch, seq, prefill, gen, dtype, device, parse_mode(mode)};
                      if (seen.insert(p.id()).second) points.push_back(p);
                    }
    }
  }
  if (points.empty()) throw std::invalid_argument(sweep.name + ": the sweep has no points (check --phase)");
  // Group by (model, dtype, device) in order of first appearance; stable within a group.
  std::map<std::string, size_t> first_seen;
  auto key = [](const Point& p) { return p.model + "|" + p.dtype + "|" + p.device; };
  for (const auto& p : points) first_seen.emplace(key(p), first_seen.size());
  std::stable_sort(points.begin(), points.end(),
                   [&](const Point& a, const Point& b) { return first_seen[key(a)] < first_seen[key(b)]; });
  return points;
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
