#include "reports/merge.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "base/shard_text.h"
#include "reports/report_json.h"

namespace shishu::reports {
namespace {

using nlohmann::json;

// Context fields that identify one sweep on one build; shards must agree on all.
// shard_cost too: shards planned by different costs overlap and miss points.
const char* const kSameSweep[] = {"preset", "settings", "git_commit", "git_dirty", "build_type", "compiler",
                                  "libtorch_version", "shard_cost"};
// What each shard keeps of its own context in the merged one (context.shards[]).
const char* const kPerShard[] = {"shard", "shard_source", "host", "started_at", "finished_at", "resumed", "devices",
                                 "command_line"};

struct Shard {
  const LoadedReport* report;
  int index, count;
  std::string name() const {
    return report->path + " (shard " + std::to_string(index) + "/" + std::to_string(count) + ")";
  }
};

Shard shard_of(const LoadedReport& r) {
  const std::string text = r.context.value("shard", "0/1");
  const auto parsed = base::parse_shard_text(text);
  if (!parsed || parsed->second < 1 || parsed->first >= parsed->second) {
    throw std::invalid_argument(r.path + ": context.shard '" + text + "' is not i/N with 0 <= i < N");
  }
  return {&r, parsed->first, parsed->second};
}

// The unsharded sweep's point ids, as the shard's run recorded them; empty in reports
// written before runs recorded them.
std::vector<std::string> plan_of(const LoadedReport& r) {
  return r.context.value("sweep_points", std::vector<std::string>{});
}

std::string first_difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i] != b[i]) return "point " + std::to_string(i) + " is " + a[i] + " in one, " + b[i] + " in the other";
  }
  return std::to_string(a.size()) + " points in one, " + std::to_string(b.size()) + " in the other";
}

void check_same_sweep(const std::vector<Shard>& shards) {
  const Shard& first = shards.front();
  for (const auto& s : shards) {
    for (const char* key : kSameSweep) {
      const auto a = first.report->context.value(key, json()), b = s.report->context.value(key, json());
      if (a != b) {
        throw std::invalid_argument("cannot merge: '" + std::string(key) + "' differs: " + a.dump() + " in " +
                                    first.report->path + ", " + b.dump() + " in " + s.report->path);
      }
    }
    if (s.count != first.count) {
      throw std::invalid_argument("cannot merge: " + first.report->path + " is one of " + std::to_string(first.count) +
                                  " shards, " + s.report->path + " one of " + std::to_string(s.count));
    }
    if (plan_of(*s.report) != plan_of(*first.report)) {
      throw std::invalid_argument("cannot merge: the sweeps differ (another --models, --phase or axis flag?) between " +
                                  first.report->path + " and " + s.report->path + ": " +
                                  first_difference(plan_of(*first.report), plan_of(*s.report)));
    }
  }
}

// One line per device kind measured under different names, e.g. "cuda: 'NVIDIA H100
// 80GB HBM3' in a.json (shard 0/2), 'NVIDIA A100-SXM4-80GB' in b.json (shard 1/2)".
std::vector<std::string> device_differences(const std::vector<Shard>& shards) {
  std::map<std::string, std::pair<std::string, const Shard*>> first_seen;  // device -> name, where
  std::set<std::string> reported;
  std::vector<std::string> out;
  for (const auto& s : shards) {
    for (const auto& d : s.report->context.value("devices", json::array())) {
      const std::string device = d.value("device", "?"), name = d.value("name", "");
      const auto [it, fresh] = first_seen.emplace(device, std::pair{name, &s});
      if (fresh || it->second.first == name || !reported.insert(device + "\n" + name).second) continue;
      out.push_back(device + ": '" + it->second.first + "' in " + it->second.second->name() + ", '" + name + "' in " +
                    s.name());
    }
  }
  return out;
}

// The shards' points in the unsharded sweep's order.
std::vector<const bench::PointResult*> in_sweep_order(const std::vector<Shard>& shards,
                                                      const std::vector<std::string>& plan) {
  std::vector<const bench::PointResult*> ordered;
  if (plan.empty()) {  // round-robin undone: position k of shard i was point k*N + i
    size_t longest = 0;
    for (const auto& s : shards) longest = std::max(longest, s.report->points.size());
    for (size_t k = 0; k < longest; ++k) {
      for (const auto& s : shards) {
        if (k < s.report->points.size()) ordered.push_back(&s.report->points[k]);
      }
    }
    return ordered;
  }
  const std::set<std::string> planned(plan.begin(), plan.end());
  std::map<std::string, std::vector<const bench::PointResult*>> by_id;
  for (const auto& s : shards) {
    for (const auto& p : s.report->points) {
      if (!planned.count(p.point.id())) {
        throw std::invalid_argument("cannot merge: " + s.report->path + " holds " + p.point.id() +
                                    ", which is not in its own sweep (context.sweep_points)");
      }
      by_id[p.point.id()].push_back(&p);
    }
  }
  for (const auto& id : plan) {
    for (const auto* p : by_id[id]) ordered.push_back(p);
  }
  return ordered;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

MergeResult merge_reports(const std::vector<LoadedReport>& input, bool allow_mixed_devices) {
  if (input.empty()) throw std::invalid_argument("merge needs at least one report");
  std::vector<const LoadedReport*> all;
  for (const auto& r : input) all.push_back(&r);
  require_one_kind(all, "merge");
  // Shards are measured; a predicted report is whole from the start, and its points'
  // marks would not survive the merge.
  for (const auto& r : input) require_measured(r, "merge");
  std::vector<Shard> shards;
  for (const auto& r : input) shards.push_back(shard_of(r));
  check_same_sweep(shards);
  const auto mixed = device_differences(shards);
  if (!mixed.empty() && !allow_mixed_devices) {
    throw std::invalid_argument("cannot merge shards measured on different devices: " + mixed.front() +
                                "; pass --allow-mixed-devices to merge them anyway (the tables then say so)");
  }
  std::stable_sort(shards.begin(), shards.end(), [](const Shard& a, const Shard& b) { return a.index < b.index; });
  const std::vector<std::string> plan = plan_of(*shards.front().report);

  std::map<std::string, json> seen;
  std::vector<bench::PointResult> merged;
  for (const auto* p : in_sweep_order(shards, plan)) {
    const std::string id = p->point.id();
    json entry = point_to_json(*p);
    entry.erase("elapsed_s");  // wall time may differ for the same result
    auto it = seen.find(id);
    if (it != seen.end()) {
      if (it->second != entry) {
        throw std::invalid_argument("cannot merge: point " + id + " appears twice with different results");
      }
      continue;
    }
    seen.emplace(id, entry);
    merged.push_back(*p);
  }

  MergeResult result;
  for (const auto& id : plan) {
    if (!seen.count(id)) result.missing_points.push_back(id);
  }
  std::set<int> present;
  for (const auto& s : shards) present.insert(s.index);
  const int count = shards.front().count;
  for (int i = 0; i < count; ++i) {
    if (!present.count(i)) result.missing_shards.push_back(std::to_string(i) + "/" + std::to_string(count));
  }

  json context = shards.front().report->context;
  std::string shard_list, hosts;
  json devices = json::array(), per_shard = json::array();
  for (const auto& s : shards) {
    const json& c = s.report->context;
    shard_list += (shard_list.empty() ? "" : ",") + c.value("shard", "0/1");
    hosts += (hosts.empty() ? "" : ",") + c.value("host", "?");
    for (const auto& d : c.value("devices", json::array())) {
      if (std::find(devices.begin(), devices.end(), d) == devices.end()) devices.push_back(d);
    }
    if (c.value("started_at", "") < context.value("started_at", "")) context["started_at"] = c["started_at"];
    if (c.value("finished_at", "") > context.value("finished_at", "")) context["finished_at"] = c["finished_at"];
    json own = {{"report", s.report->path}, {"points", json::array()}};
    for (const char* key : kPerShard) {
      if (c.contains(key)) own[key] = c[key];
    }
    for (const auto& p : s.report->points) own["points"].push_back(p.point.id());
    per_shard.push_back(own);
  }
  context["shard"] = "merged from " + shard_list;
  context["host"] = hosts;
  context["devices"] = devices;
  context["shards"] = per_shard;
  context.erase("shard_source");  // each shard's is in context.shards
  json notes = json::array();
  if (!mixed.empty()) notes.push_back("mixed devices, merged with --allow-mixed-devices: " + joined(mixed));
  if (!result.complete()) {
    context["missing_points"] = result.missing_points;
    context["missing_shards"] = result.missing_shards;
    notes.push_back("incomplete: " + std::to_string(result.missing_points.size()) + " point(s) missing" +
                    (result.missing_shards.empty() ? "" : "; no report from shard(s) " + joined(result.missing_shards)));
  }
  if (!notes.empty()) context["notes"] = notes;
  result.report = make_report(context, merged);
  return result;
}

}  // namespace shishu::reports
