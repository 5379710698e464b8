#include "reports/loaded_report.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "bench/stats.h"
#include "reports/report_json.h"

namespace shishu::reports {
namespace {

using nlohmann::json;

bool is_string(const json& v) { return v.is_string(); }
bool is_boolean(const json& v) { return v.is_boolean(); }
bool is_number(const json& v) { return v.is_number(); }
bool is_object(const json& v) { return v.is_object(); }
bool is_object_or_null(const json& v) { return v.is_object() || v.is_null(); }
bool is_string_array(const json& v) {
  if (!v.is_array()) return false;
  for (const auto& e : v) {
    if (!e.is_string()) return false;
  }
  return true;
}
bool is_object_array(const json& v) {
  return v.is_array() && std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_object(); });
}
// Each device's strings are read by the tables and the context guard.
bool is_device_array(const json& v) {
  if (!v.is_array()) return false;
  for (const auto& d : v) {
    if (!d.is_object()) return false;
    for (const char* key : {"device", "kind", "name", "driver_version", "environment_source"}) {
      if (d.contains(key) && !d[key].is_string()) return false;
    }
  }
  return true;
}

// The context's fields (reports/SCHEMA.md) and the JSON type each must have when present.
// Checked once at load, so the commands may read them with json::value() safely; fields
// not listed are carried along untouched. Older reports may lack any of them.
struct ContextField {
  const char* key;
  const char* expected;
  bool (*accepts)(const json&);
};
const ContextField kContextFields[] = {
    {"tool", "a string", is_string},
    {"git_commit", "a string", is_string},
    {"git_dirty", "true or false", is_boolean},
    {"build_type", "a string", is_string},
    {"compiler", "a string", is_string},
    {"libtorch_version", "a string", is_string},
    {"google_benchmark", "an object", is_object},
    {"cuda_available", "true or false", is_boolean},
    {"devices", "an array of device objects with string names", is_device_array},
    {"host", "a string", is_string},
    {"command_line", "a string", is_string},
    {"dtypes", "an array of strings", is_string_array},
    {"preset", "a string", is_string},
    {"preset_description", "a string", is_string},
    {"settings", "an object", is_object},
    {"shard", "a string", is_string},
    {"shard_source", "a string", is_string},
    {"shard_cost", "a string", is_string},
    {"sweep_points", "an array of strings", is_string_array},
    {"shards", "an array of objects", is_object_array},
    {"missing_points", "an array of strings", is_string_array},
    {"missing_shards", "an array of strings", is_string_array},
    {"notes", "an array of strings", is_string_array},
    {"profile", "true or false", is_boolean},
    {"profile_once", "true or false", is_boolean},
    {"inject_slowdown_pct", "a number", is_number},
    {"weights", "an object or null", is_object_or_null},
    {"started_at", "a string", is_string},
    {"finished_at", "a string", is_string},
    {"resumed", "true or false", is_boolean},
    {"predicted", "true or false", is_boolean},
    {"cost_model", "an object", is_object},
    {"warnings", "an array of strings", is_string_array},
};

json checked_context(const json& doc, const std::string& path) {
  const json context = doc.value("context", json::object());
  if (!context.is_object()) throw std::invalid_argument(path + ": context: expected an object, found " + context.type_name());
  for (const auto& f : kContextFields) {
    if (context.contains(f.key) && !f.accepts(context[f.key])) {
      throw std::invalid_argument(path + ": context." + f.key + ": expected " + f.expected + ", found " +
                                  context[f.key].dump().substr(0, 80));
    }
  }
  return context;
}

}  // namespace

const bench::PointResult* LoadedReport::find(const std::string& id) const {
  for (const auto& p : points) {
    if (p.point.id() == id) return &p;
  }
  return nullptr;
}

LoadedReport load_report(const std::string& path) { return report_from_json(read_report(path), path); }

LoadedReport report_from_json(const nlohmann::json& doc, const std::string& path) {
  LoadedReport r;
  r.path = path;
  r.context = checked_context(doc, path);
  r.predicted = r.context.value("predicted", false);
  std::map<std::string, size_t> first_at;  // id -> index: one entry per point
  for (size_t i = 0; i < doc["points"].size(); ++i) {
    const std::string place = "points[" + std::to_string(i) + "]";
    const json& entry = doc["points"][i];
    const json flag = entry.is_object() ? entry.value("predicted", json(false)) : json(false);
    if (!flag.is_boolean()) throw std::invalid_argument(path + ": " + place + ".predicted: expected true or false");
    if (flag.get<bool>() != r.predicted) {
      throw std::invalid_argument(path + ": " + place + " is " + (flag.get<bool>() ? "predicted" : "measured") +
                                  " in a " + (r.predicted ? "predicted" : "measured") +
                                  " report: predicted and measured points are never mixed");
    }
    try {
      r.points.push_back(point_from_json(doc["points"][i], place));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(path + ": " + e.what());
    }
    const std::string id = r.points.back().point.id();
    if (const auto [it, fresh] = first_at.emplace(id, i); !fresh) {
      throw std::invalid_argument(path + ": " + place + ": a second entry for " + id + " (the first is points[" +
                                  std::to_string(it->second) + "])");
    }
  }
  return r;
}

void require_one_kind(const std::vector<const LoadedReport*>& reports, const std::string& what) {
  if (reports.empty()) return;
  size_t predicted = 0;
  for (const auto* r : reports) predicted += r->predicted;
  if (predicted == 0 || predicted == reports.size()) return;
  const bool odd_is_predicted = predicted <= reports.size() - predicted;
  for (const auto* r : reports) {
    if (r->predicted != odd_is_predicted) continue;
    throw std::invalid_argument(what + ": " + r->path + " is " + (r->predicted ? "predicted" : "measured") +
                                " (shishu-report predict), the other report(s) " +
                                (r->predicted ? "measured" : "predicted") +
                                ": predictions are never mixed with measurements");
  }
}

void require_measured(const LoadedReport& report, const std::string& what) {
  if (!report.predicted) return;
  throw std::invalid_argument(what + ": " + report.path +
                              " is a predicted report (shishu-report predict), not a measurement");
}

std::string predicted_note(const LoadedReport& report) {
  if (!report.predicted) return "";
  const json model = report.context.value("cost_model", json::object());
  const json path = model.value("path", json("?"));
  return "PREDICTED, not measured: every figure is the cost model " + (path.is_string() ? path.get<std::string>() : "?") +
         "'s (shishu-report predict); the report's points outside its calibrated range carry "
         "'extrapolated' and the axes (these tables do not mark them)";
}

bool headline(const bench::PointResult& r, const std::string& metric, double* out) {
  if (auto it = r.samples.find(metric); it != r.samples.end() && !it->second.empty()) {
    *out = bench::summarize(it->second).median;
    return true;
  }
  if (auto it = r.values.find(metric); it != r.values.end()) {
    *out = it->second;
    return true;
  }
  return false;
}

const std::string* first_headline(const bench::PointResult& r, const std::vector<std::string>& metrics, double* out) {
  for (const auto& m : metrics) {
    if (headline(r, m, out)) return &m;
  }
  return nullptr;
}

}  // namespace shishu::reports
