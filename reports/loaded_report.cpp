#include "reports/loaded_report.h"

#include "bench/stats.h"
#include "reports/report_json.h"

namespace shishu::reports {

const bench::PointResult* LoadedReport::find(const std::string& id) const {
  for (const auto& p : points) {
    if (p.point.id() == id) return &p;
  }
  return nullptr;
}

LoadedReport load_report(const std::string& path) {
  LoadedReport r;
  r.path = path;
  const nlohmann::json doc = read_report(path);
  r.context = doc.value("context", nlohmann::json::object());
  for (size_t i = 0; i < doc["points"].size(); ++i) {
    try {
      r.points.push_back(point_from_json(doc["points"][i]));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(path + ": points[" + std::to_string(i) + "]: " + e.what());
    }
  }
  return r;
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
