#include "reports/context_guard.h"

#include <stdexcept>

namespace shishu::reports {
namespace {

using nlohmann::json;

std::string devices_field(const json& context, const char* key) {
  std::string s;
  for (const auto& d : context.value("devices", json::array())) {
    if (!s.empty()) s += ";";
    s += d.contains(key) ? (d[key].is_string() ? d[key].get<std::string>() : d[key].dump()) : "?";
  }
  return s;
}

std::string field(const json& context, const char* key) {
  if (!context.contains(key)) return "?";
  return context[key].is_string() ? context[key].get<std::string>() : context[key].dump();
}

struct Field {
  const char* name;
  std::string (*read)(const json&);
};

// The fields that make two measurements the same experiment.
const Field kFields[] = {
    {"device", [](const json& c) { return devices_field(c, "name"); }},
    {"driver", [](const json& c) { return devices_field(c, "driver_version"); }},
    {"libtorch_version", [](const json& c) { return field(c, "libtorch_version"); }},
    {"dtypes", [](const json& c) { return field(c, "dtypes"); }},
    {"build_type", [](const json& c) { return field(c, "build_type"); }},
    {"compiler", [](const json& c) { return field(c, "compiler"); }},
};

}  // namespace

std::vector<std::string> context_mismatches(const LoadedReport& a, const LoadedReport& b) {
  std::vector<std::string> out;
  for (const auto& f : kFields) {
    const std::string x = f.read(a.context), y = f.read(b.context);
    if (x != y) out.push_back(std::string(f.name) + ": '" + x + "' (" + a.path + ") vs '" + y + "' (" + b.path + ")");
  }
  return out;
}

std::vector<std::string> guard_context(const LoadedReport& base, const LoadedReport& current, bool allow) {
  auto mismatches = context_mismatches(base, current);
  if (!mismatches.empty() && !allow) {
    throw std::invalid_argument("the reports were measured in different contexts: " + mismatches.front() +
                                (mismatches.size() > 1 ? " (and " + std::to_string(mismatches.size() - 1) + " more)" : "") +
                                "; pass --allow-context-mismatch to compare them anyway");
  }
  return mismatches;
}

std::vector<std::string> context_warnings(const LoadedReport& r) {
  std::vector<std::string> out;
  for (const auto& w : r.context.value("warnings", json::array())) {
    if (w.is_string()) out.push_back(r.path + ": " + w.get<std::string>());
  }
  int disturbed = 0;
  for (const auto& p : r.points) disturbed += !p.environment.flags.empty();
  if (disturbed) {
    out.push_back(r.path + ": " + std::to_string(disturbed) +
                  " point(s) measured while throttled or under foreign load (see their environment flags)");
  }
  return out;
}

}  // namespace shishu::reports
