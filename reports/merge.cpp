#include "reports/merge.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "reports/report_json.h"

namespace shishu::reports {
namespace {

// Context fields that identify one sweep on one build; shards must agree on all.
const char* const kSameSweep[] = {"preset", "settings", "git_commit", "git_dirty", "build_type", "compiler",
                                  "libtorch_version"};

std::pair<int, int> shard_of(const LoadedReport& r) {
  const std::string s = r.context.value("shard", "0/1");
  const auto slash = s.find('/');
  try {
    return {std::stoi(s.substr(0, slash)), std::stoi(s.substr(slash + 1))};
  } catch (const std::exception&) {
    throw std::invalid_argument(r.path + ": unreadable shard '" + s + "'");
  }
}

}  // namespace

nlohmann::json merge_reports(const std::vector<LoadedReport>& input) {
  if (input.size() < 2) throw std::invalid_argument("merge needs at least two reports");
  std::vector<const LoadedReport*> shards;
  for (const auto& r : input) shards.push_back(&r);
  const LoadedReport& first = *shards.front();
  for (const auto* r : shards) {
    for (const char* key : kSameSweep) {
      const auto a = first.context.value(key, nlohmann::json()), b = r->context.value(key, nlohmann::json());
      if (a != b) {
        throw std::invalid_argument("cannot merge: '" + std::string(key) + "' differs: " + a.dump() + " in " + first.path +
                                    ", " + b.dump() + " in " + r->path);
      }
    }
    if (shard_of(*r).second != shard_of(first).second) {
      throw std::invalid_argument("cannot merge: " + first.path + " is one of " + std::to_string(shard_of(first).second) +
                                  " shards, " + r->path + " one of " + std::to_string(shard_of(*r).second));
    }
  }
  std::stable_sort(shards.begin(), shards.end(),
                   [](const LoadedReport* a, const LoadedReport* b) { return shard_of(*a).first < shard_of(*b).first; });

  // Undo round-robin sharding: position k of shard i was point k*N + i.
  std::vector<const bench::PointResult*> ordered;
  size_t longest = 0;
  for (const auto* r : shards) longest = std::max(longest, r->points.size());
  for (size_t k = 0; k < longest; ++k) {
    for (const auto* r : shards) {
      if (k < r->points.size()) ordered.push_back(&r->points[k]);
    }
  }
  std::map<std::string, nlohmann::json> seen;
  std::vector<bench::PointResult> merged;
  for (const auto* p : ordered) {
    const std::string id = p->point.id();
    nlohmann::json entry = point_to_json(*p);
    entry.erase("elapsed_s");  // wall time may differ for the same result
    auto it = seen.find(id);
    if (it != seen.end()) {
      if (it->second != entry) throw std::invalid_argument("cannot merge: point " + id + " appears twice with different results");
      continue;
    }
    seen.emplace(id, entry);
    merged.push_back(*p);
  }

  nlohmann::json context = first.context;
  std::string shard_list, hosts;
  nlohmann::json devices = nlohmann::json::array();
  for (const auto* r : shards) {
    shard_list += (shard_list.empty() ? "" : ",") + r->context.value("shard", "0/1");
    hosts += (hosts.empty() ? "" : ",") + r->context.value("host", "?");
    for (const auto& d : r->context.value("devices", nlohmann::json::array())) {
      if (std::find(devices.begin(), devices.end(), d) == devices.end()) devices.push_back(d);
    }
    if (r->context.value("started_at", "") < context.value("started_at", "")) context["started_at"] = r->context["started_at"];
    if (r->context.value("finished_at", "") > context.value("finished_at", "")) context["finished_at"] = r->context["finished_at"];
  }
  context["shard"] = "merged from " + shard_list;
  context["host"] = hosts;
  context["devices"] = devices;
  return make_report(context, merged);
}

}  // namespace shishu::reports
