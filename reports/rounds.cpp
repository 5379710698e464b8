#include "reports/rounds.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

namespace fs = std::filesystem;

namespace shishu::reports {
namespace {

// What makes two rounds the same sweep: the same points, measured the same way.
std::string sweep_identity(const LoadedReport& r) {
  std::string ids;
  for (const auto& p : r.points) ids += p.point.id() + ";";
  return r.context.value("preset", nlohmann::json()).dump() + "|" + r.context.value("settings", nlohmann::json()).dump() +
         "|" + ids;
}

void same_sweep(const LoadedReport& a, const LoadedReport& b) {
  if (sweep_identity(a) == sweep_identity(b)) return;
  std::string what = "points";
  if (a.context.value("preset", nlohmann::json()) != b.context.value("preset", nlohmann::json())) what = "preset";
  if (a.context.value("settings", nlohmann::json()) != b.context.value("settings", nlohmann::json())) what = "settings";
  throw std::invalid_argument("rounds from different sweeps: " + a.path + " and " + b.path + " differ in their " + what);
}

}  // namespace

bool is_round_folder(const std::string& path) { return fs::is_directory(path); }

RoundSet load_rounds(const std::string& folder) {
  RoundSet set;
  set.path = folder;
  if (!fs::is_directory(folder)) throw std::invalid_argument(folder + ": not a folder of rounds");
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_directory() && fs::exists(entry.path() / "report.json")) set.names.push_back(entry.path().filename());
  }
  std::sort(set.names.begin(), set.names.end());
  if (set.names.empty()) {
    throw std::invalid_argument(folder + ": holds no rounds (subfolders with a report.json, e.g. round-01/report.json)");
  }
  for (const auto& name : set.names) set.reports.push_back(load_report(folder + "/" + name + "/report.json"));
  for (const auto& r : set.reports) same_sweep(set.reports.front(), r);
  return set;
}

void check_pairable(const RoundSet& base, const RoundSet& current) {
  const std::set<std::string> a(base.names.begin(), base.names.end()), b(current.names.begin(), current.names.end());
  for (const auto& n : a) {
    if (!b.count(n)) throw std::invalid_argument("round '" + n + "' is in " + base.path + " but not in " + current.path);
  }
  for (const auto& n : b) {
    if (!a.count(n)) throw std::invalid_argument("round '" + n + "' is in " + current.path + " but not in " + base.path);
  }
  same_sweep(base.reports.front(), current.reports.front());
}

}  // namespace shishu::reports
