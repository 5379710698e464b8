#include "reports/report_json.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/json_reader.h"
#include "bench/metrics.h"
#include "bench/phase_row.h"
#include "bench/stats.h"
#include "reports/json_field.h"

namespace shishu::reports {

using nlohmann::json;

json profile_to_json(const profiles::ProfileSummary& s) {
  json top = json::array();
  for (const auto& k : s.top) top.push_back({{"name", k.name}, {"count", k.count}, {"total_ms", k.total_ms}});
  auto optional = [](double v) { return v < 0 ? json(nullptr) : json(v); };
  return {{"untimed", true},  // a separate pass, never mixed with the timed repetitions
          {"source", s.source},
          {"trace_file", s.trace_file},
          {"work_unit", s.work_unit},
          {"dropped_records", s.dropped_records},
          {"wall_ms", s.wall_ms},
          {"busy_ms", s.busy_ms},
          {"busy_fraction", s.busy_fraction},
          {"work_items", s.work_items},
          {"per_forward", optional(s.per_forward)},
          {"per_prefill", optional(s.per_prefill)},
          {"per_decode_step", optional(s.per_decode_step)},
          {"per_attention_layer", optional(s.per_attention_layer)},
          {"per_mlp_only_layer", optional(s.per_mlp_only_layer)},
          {"graph_launches", s.graph_launches},
          {"attention_layer_calls", s.attention_layer_calls},
          {"mlp_only_layer_calls", s.mlp_only_layer_calls},
          {"attention_layer_busy_ms", s.attention_layer_busy_ms},
          {"mlp_only_layer_busy_ms", s.mlp_only_layer_busy_ms},
          {"attention_layer_host_ms", s.attention_layer_host_ms},
          {"mlp_only_layer_host_ms", s.mlp_only_layer_host_ms},
          {"top", top}};
}

profiles::ProfileSummary profile_from_json(const json& j, const std::string& place) {
  profiles::ProfileSummary s;
  s.source = field<std::string>(j, "source", place);
  s.trace_file = optional_field<std::string>(j, "trace_file", place, "");
  s.work_unit = optional_field<std::string>(j, "work_unit", place, "");
  s.dropped_records = field<int64_t>(j, "dropped_records", place);
  s.wall_ms = field<double>(j, "wall_ms", place);
  s.busy_ms = field<double>(j, "busy_ms", place);
  s.busy_fraction = field<double>(j, "busy_fraction", place);
  s.work_items = field<int64_t>(j, "work_items", place);
  // Absent or null: the profile has no such unit (written as null, read back as -1).
  s.per_forward = optional_field<double>(j, "per_forward", place, -1.0);
  s.per_prefill = optional_field<double>(j, "per_prefill", place, -1.0);
  s.per_decode_step = optional_field<double>(j, "per_decode_step", place, -1.0);
  s.per_attention_layer = optional_field<double>(j, "per_attention_layer", place, -1.0);
  s.per_mlp_only_layer = optional_field<double>(j, "per_mlp_only_layer", place, -1.0);
  s.graph_launches = optional_field<int64_t>(j, "graph_launches", place, 0);
  s.attention_layer_calls = optional_field<int64_t>(j, "attention_layer_calls", place, 0);
  s.mlp_only_layer_calls = optional_field<int64_t>(j, "mlp_only_layer_calls", place, 0);
  s.attention_layer_busy_ms = optional_field<double>(j, "attention_layer_busy_ms", place, 0.0);
  s.mlp_only_layer_busy_ms = optional_field<double>(j, "mlp_only_layer_busy_ms", place, 0.0);
  s.attention_layer_host_ms = optional_field<double>(j, "attention_layer_host_ms", place, 0.0);
  s.mlp_only_layer_host_ms = optional_field<double>(j, "mlp_only_layer_host_ms", place, 0.0);
  const json top = optional_field<json>(j, "top", place, json::array());
  if (!top.is_array()) throw std::invalid_argument(place + ".top: expected an array, found " + top.type_name());
  for (size_t i = 0; i < top.size(); ++i) {
    const std::string at = place + ".top[" + std::to_string(i) + "]";
    s.top.push_back({field<std::string>(top[i], "name", at), field<int64_t>(top[i], "count", at),
                     field<double>(top[i], "total_ms", at)});
  }
  return s;
}

json point_to_json(const bench::PointResult& r) {
  const auto& p = r.point;
  json axes = {{"model", p.model}, {"phase", p.phase}, {"dtype", p.dtype.name}, {"device", p.device.str()},
               {"mode", p.mode.name()}};
  for (const auto& [axis, value] : p.shape) axes[bench::axis_name(axis)] = value;
  json metrics = json::object();
  for (const auto& [key, samples] : r.samples) {
    const auto s = bench::summarize(samples);
    metrics[key] = {{"samples", samples}, {"n", s.n},     {"median", s.median}, {"mean", s.mean},
                    {"stddev", s.stddev}, {"cv", s.cv},   {"min", s.min},       {"max", s.max},
                    {"p90", s.p90}};
  }
  for (const auto& [key, value] : r.values) metrics[key] = value;
  json j = {{"id", p.id()},   {"axes", axes},         {"status", bench::to_string(r.status)},
            {"metrics", metrics}, {"elapsed_s", r.elapsed_s}};
  if (!r.message.empty()) j["message"] = r.message;
  if (r.profile) j["profile"] = profile_to_json(*r.profile);
  if (!r.memory_snapshot_file.empty()) j["memory_snapshot"] = r.memory_snapshot_file;
  if (!r.environment.empty()) {
    j["environment"] = {{"before", r.environment.before}, {"after", r.environment.after}, {"flags", r.environment.flags}};
  }
  return j;
}

namespace {

// A point's shape axes, which must be the ones its phase's row declares: a journal or
// report from a build whose phase had other axes is refused, never half read.
bench::Shape read_shape(const json& axes, const bench::PhaseRow& row, const std::string& at) {
  bench::Shape shape;
  for (const auto& row : bench::kAxisRows) {
    if (!axes.contains(row.name)) continue;
    // Sizes are counts (a sweep never makes one below 1); arithmetic on them, such as a
    // point's decode steps gen - 1, relies on that.
    const int64_t v = field<int64_t>(axes, row.name, at);
    if (v < 1) throw std::invalid_argument(at + "." + row.name + ": must be at least 1, found " + std::to_string(v));
    shape[row.axis] = v;
  }
  std::string declared;
  bool same = false;
  size_t left_at_default = 0;
  for (const auto& use : row.shape) {
    declared += std::string(declared.empty() ? "" : ", ") + bench::axis_name(use.axis);
    if (shape.count(use.axis)) continue;
    if (use.default_value >= 0) {
      ++left_at_default;  // a point at the axis's default does not list it
      continue;
    }
    field<int64_t>(axes, bench::axis_name(use.axis), at);  // names the one missing
  }
  same = shape.size() + left_at_default == row.shape.size();
  for (const auto& [axis, value] : shape) same = same && row.takes(axis);
  if (!same) throw std::invalid_argument(at + ": phase " + row.name + " takes the axes " + declared + ", not these");
  return shape;
}

}  // namespace

bench::PointResult point_from_json(const json& j, const std::string& place) {
  bench::PointResult r;
  auto& p = r.point;
  const std::string axes_at = place + ".axes";
  const json axes = field<json>(j, "axes", place);
  // Names are checked by their own parsers; their messages name the bad value.
  auto named = [&](const json& obj, const char* key, const std::string& at, auto parse) {
    const std::string value = field<std::string>(obj, key, at);
    try {
      return parse(value);
    } catch (const std::exception& e) {
      throw std::invalid_argument(at + "." + key + ": " + e.what());
    }
  };
  p.model = field<std::string>(axes, "model", axes_at);
  const bench::PhaseRow& phase = *named(axes, "phase", axes_at, [](std::string_view s) { return &bench::phase_row(s); });
  p.phase = phase.name;
  p.dtype = named(axes, "dtype", axes_at, models::parse_dtype_name);
  p.device = named(axes, "device", axes_at, base::DeviceName::parse);
  p.mode = named(axes, "mode", axes_at, models::parse_backend);
  p.shape = read_shape(axes, phase, axes_at);
  r.status = named(j, "status", place, bench::parse_status);
  r.message = optional_field<std::string>(j, "message", place, "");
  r.elapsed_s = optional_field<double>(j, "elapsed_s", place, 0.0);
  r.memory_snapshot_file = optional_field<std::string>(j, "memory_snapshot", place, "");
  const json metrics = field<json>(j, "metrics", place);
  if (!metrics.is_object()) throw std::invalid_argument(place + ".metrics: expected an object, found " + metrics.type_name());
  for (const auto& [key, value] : metrics.items()) {
    const std::string at = place + ".metrics." + key;
    const bench::Metric* m = nullptr;
    try {
      m = &bench::metric(key);
    } catch (const std::out_of_range&) {
      throw std::invalid_argument(at + ": not a metric in this version's field table");
    }
    // A value no measurement can have is refused here, for every command that reads.
    auto plausible = [&](double v, const std::string& where) {
      const std::string why = bench::implausible(*m, v);
      if (!why.empty()) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", v);
        throw std::invalid_argument(where + ": " + text + " is not a measurement: " + why);
      }
      return v;
    };
    if (m->kind == bench::Kind::kSampled) {
      auto samples = field<std::vector<double>>(value, "samples", at);
      // Every statistic is computed from the samples; a metric without any is no measurement.
      if (samples.empty()) throw std::invalid_argument(at + ".samples: empty");
      for (size_t i = 0; i < samples.size(); ++i) plausible(samples[i], at + ".samples[" + std::to_string(i) + "]");
      r.samples[key] = std::move(samples);
    } else {
      r.values[key] = plausible(value_as<double>(value, at), at);
    }
  }
  if (j.contains("profile")) r.profile = profile_from_json(j["profile"], place + ".profile");
  if (j.contains("environment")) {
    const std::string at = place + ".environment";
    const json& env = j["environment"];
    r.environment.before = optional_field<std::map<std::string, double>>(env, "before", at, {});
    r.environment.after = optional_field<std::map<std::string, double>>(env, "after", at, {});
    r.environment.flags = optional_field<std::vector<std::string>>(env, "flags", at, {});
  }
  const std::string id = optional_field<std::string>(j, "id", place, p.id());
  if (id != p.id()) {
    throw std::invalid_argument(place + ".id: '" + id + "' does not match its axes (" + p.id() + ")");
  }
  return r;
}

json metrics_table_json() {
  json table = json::object();
  for (const auto& m : bench::metrics()) {
    table[std::string(m.key)] = {{"label", m.label},
                                 {"unit", m.unit},
                                 {"direction", bench::to_string(m.direction)},
                                 {"kind", m.kind == bench::Kind::kSampled ? "sampled" : "scalar"},
                                 {"format", m.format},
                                 {"meaning", m.meaning}};
  }
  return table;
}

json make_report(const json& context, const std::vector<bench::PointResult>& points) {
  json report = {{"schema", kSchemaName}, {"schema_version", kSchemaVersion}, {"context", context},
                 {"metrics", metrics_table_json()}, {"points", json::array()}};
  for (const auto& p : points) report["points"].push_back(point_to_json(p));
  return report;
}

json read_report(const std::string& path) { return parse_report(base::read_text_file(path), path); }

json parse_report(const std::string& text, const std::string& path) {
  const json report = base::parse_json(text, path);
  // Checked by type first: json::value() throws on a field of another type.
  const json schema = report.is_object() ? report.value("schema", json()) : json();
  if (!schema.is_string() || schema != kSchemaName) {
    throw std::invalid_argument(path + ": not a shishu-bench report (schema is not '" + std::string(kSchemaName) + "')");
  }
  const json version = report.value("schema_version", json());
  if (!version.is_number_integer() || version != kSchemaVersion) {
    throw std::invalid_argument(path + ": schema version " + version.dump() + ", this build reads version " +
                                std::to_string(kSchemaVersion));
  }
  if (!report.contains("points") || !report["points"].is_array()) throw std::invalid_argument(path + ": no points array");
  return report;
}

void write_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  // Any failure (a full disk: ENOSPC at write or at fsync) removes the temporary file and
  // leaves the target as it was; the error names the file and the system's reason.
  auto fail = [&](int fd, const std::string& what) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw WriteError(what + ": " + why + "; " + path + " was not changed");
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(-1, "cannot create " + tmp);
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      fail(fd, "cannot write " + tmp);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) fail(fd, "cannot flush " + tmp);
  if (::close(fd) != 0) fail(-1, "cannot close " + tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail(-1, "cannot rename " + tmp + " to " + path);
}

}  // namespace shishu::reports
