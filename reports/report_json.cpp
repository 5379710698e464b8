#include "reports/report_json.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bench/metrics.h"
#include "bench/stats.h"

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
          {"graph_launches", s.graph_launches},
          {"attention_layer_calls", s.attention_layer_calls},
          {"mlp_only_layer_calls", s.mlp_only_layer_calls},
          {"attention_layer_busy_ms", s.attention_layer_busy_ms},
          {"mlp_only_layer_busy_ms", s.mlp_only_layer_busy_ms},
          {"attention_layer_host_ms", s.attention_layer_host_ms},
          {"mlp_only_layer_host_ms", s.mlp_only_layer_host_ms},
          {"top", top}};
}

profiles::ProfileSummary profile_from_json(const json& j) {
  profiles::ProfileSummary s;
  auto optional = [&](const char* k) { return j.contains(k) && !j[k].is_null() ? j[k].get<double>() : -1.0; };
  s.source = j.at("source").get<std::string>();
  s.trace_file = j.value("trace_file", "");
  s.work_unit = j.value("work_unit", "");
  s.dropped_records = j.at("dropped_records").get<int64_t>();
  s.wall_ms = j.at("wall_ms").get<double>();
  s.busy_ms = j.at("busy_ms").get<double>();
  s.busy_fraction = j.at("busy_fraction").get<double>();
  s.work_items = j.at("work_items").get<int64_t>();
  s.per_forward = optional("per_forward");
  s.per_prefill = optional("per_prefill");
  s.per_decode_step = optional("per_decode_step");
  s.graph_launches = j.value("graph_launches", int64_t{0});
  s.attention_layer_calls = j.value("attention_layer_calls", int64_t{0});
  s.mlp_only_layer_calls = j.value("mlp_only_layer_calls", int64_t{0});
  s.attention_layer_busy_ms = j.value("attention_layer_busy_ms", 0.0);
  s.mlp_only_layer_busy_ms = j.value("mlp_only_layer_busy_ms", 0.0);
  s.attention_layer_host_ms = j.value("attention_layer_host_ms", 0.0);
  s.mlp_only_layer_host_ms = j.value("mlp_only_layer_host_ms", 0.0);
  for (const auto& k : j.value("top", json::array())) {
    s.top.push_back({k.at("name").get<std::string>(), k.at("count").get<int64_t>(), k.at("total_ms").get<double>()});
  }
  return s;
}

json point_to_json(const bench::PointResult& r) {
  const auto& p = r.point;
  json axes = {{"model", p.model}, {"phase", bench::to_string(p.phase)}, {"batch", p.batch},
               {"dtype", p.dtype}, {"device", p.device},                 {"mode", bench::to_string(p.mode)}};
  if (p.phase == bench::Phase::kGenerate) {
    axes["prefill"] = p.prefill;
    axes["gen"] = p.gen;
  } else {
    axes["seq"] = p.seq;
  }
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
  if (!r.environment.empty()) {
    j["environment"] = {{"before", r.environment.before}, {"after", r.environment.after}, {"flags", r.environment.flags}};
  }
  return j;
}

bench::PointResult point_from_json(const json& j) {
  auto need = [&](const json& obj, const char* key) -> const json& {
    if (!obj.is_object() || !obj.contains(key)) {
      throw std::invalid_argument(std::string("point entry lacks '") + key + "': " + j.dump().substr(0, 200));
    }
    return obj.at(key);
  };
  try {
    bench::PointResult r;
    const json& axes = need(j, "axes");
    auto& p = r.point;
    p.model = need(axes, "model").get<std::string>();
    p.phase = bench::parse_phase(need(axes, "phase").get<std::string>());
    p.batch = need(axes, "batch").get<int64_t>();
    p.dtype = need(axes, "dtype").get<std::string>();
    p.device = need(axes, "device").get<std::string>();
    p.mode = bench::parse_mode(need(axes, "mode").get<std::string>());
    if (p.phase == bench::Phase::kGenerate) {
      p.prefill = need(axes, "prefill").get<int64_t>();
      p.gen = need(axes, "gen").get<int64_t>();
    } else {
      p.seq = need(axes, "seq").get<int64_t>();
    }
    r.status = bench::parse_status(need(j, "status").get<std::string>());
    r.message = j.value("message", "");
    r.elapsed_s = j.value("elapsed_s", 0.0);
    for (const auto& [key, value] : need(j, "metrics").items()) {
      const bench::Metric& m = bench::metric(key);  // unknown key: out_of_range
      if (m.kind == bench::Kind::kSampled) {
        r.samples[key] = need(value, "samples").get<std::vector<double>>();
      } else {
        r.values[key] = value.get<double>();
      }
    }
    if (j.contains("profile")) r.profile = profile_from_json(j["profile"]);
    if (j.contains("environment")) {
      const json& env = j["environment"];
      r.environment.before = env.value("before", json::object()).get<std::map<std::string, double>>();
      r.environment.after = env.value("after", json::object()).get<std::map<std::string, double>>();
      r.environment.flags = env.value("flags", json::array()).get<std::vector<std::string>>();
    }
    if (j.contains("id") && j["id"] != p.id()) {
      throw std::invalid_argument("point id '" + j["id"].get<std::string>() + "' does not match its axes (" + p.id() + ")");
    }
    return r;
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed point entry: ") + e.what());
  } catch (const std::out_of_range& e) {
    throw std::invalid_argument(std::string("malformed point entry: ") + e.what());
  }
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

json read_report(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path + ": cannot be read");
  json report;
  try {
    report = json::parse(in);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number that overflows
    throw std::invalid_argument(path + ": malformed JSON: " + e.what());
  }
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
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp);
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("write failed: " + tmp);
    }
    written += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename " + tmp + " to " + path);
}

}  // namespace shishu::reports
