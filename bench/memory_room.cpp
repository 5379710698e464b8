#include "bench/memory_room.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace shishu::bench {
namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<int64_t> read_number(const std::string& path) {
  const auto text = read_file(path);
  if (!text) return std::nullopt;
  char* end = nullptr;
  const long long v = std::strtoll(text->c_str(), &end, 10);
  if (end == text->c_str()) return std::nullopt;  // "max": no limit (v2)
  return v;
}

// A field of a "key value" file such as memory.stat.
std::optional<int64_t> stat_field(const std::string& path, const std::string& key) {
  const auto text = read_file(path);
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  std::string k;
  long long v = 0;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return std::nullopt;
}

// v1 reports "no limit" as a page-rounded huge number.
constexpr int64_t kNoLimit = int64_t{1} << 60;

std::optional<int64_t> limit_in(const std::string& folder, bool v2) {
  const auto limit = read_number(folder + (v2 ? "/memory.max" : "/memory.limit_in_bytes"));
  if (!limit || *limit >= kNoLimit) return std::nullopt;
  return limit;
}

// The room in one cgroup folder: its limit less what it uses, page cache not counted,
// since the kernel reclaims that before it kills.
std::optional<int64_t> room_in(const std::string& folder, bool v2) {
  const auto limit = limit_in(folder, v2);
  if (!limit) return std::nullopt;
  const int64_t used = read_number(folder + (v2 ? "/memory.current" : "/memory.usage_in_bytes")).value_or(0);
  const int64_t cache = stat_field(folder + "/memory.stat", v2 ? "inactive_file" : "total_inactive_file").value_or(0);
  return *limit - std::max<int64_t>(0, used - cache);
}

// The smallest of `measure` over every memory cgroup folder from this process's cgroups
// (the text of /proc/self/cgroup) up to the root, and the folder it came from: every
// limit on the way applies.
std::optional<MemoryRoom> tightest(const std::string& proc_self_cgroup, const std::string& cgroup_root,
                                   std::optional<int64_t> (*measure)(const std::string&, bool)) {
  std::optional<MemoryRoom> best;
  std::istringstream in(proc_self_cgroup);
  std::string line;
  while (std::getline(in, line)) {
    // "4:memory:/a/b" (v1) or "0::/a/b" (v2).
    const auto first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1), path = line.substr(second + 1);
    const bool v2 = controllers.empty();
    if (!v2 && controllers.find("memory") == std::string::npos) continue;
    std::vector<std::string> mounts = v2 ? std::vector<std::string>{cgroup_root, cgroup_root + "/unified"}
                                         : std::vector<std::string>{cgroup_root + "/memory"};
    for (const auto& mount : mounts) {
      for (std::string at = path;; at = at.substr(0, at.rfind('/'))) {
        if (const auto value = measure(mount + at, v2); value && (!best || *value < best->bytes)) {
          const std::string file = v2 ? " memory.max" : " memory.limit_in_bytes";
          best = MemoryRoom{*value, "cgroup " + (at.empty() ? "/" : at) + file};
        }
        if (at.empty() || at == "/") break;
      }
    }
  }
  return best;
}

}  // namespace

std::optional<int64_t> meminfo_bytes(const std::string& meminfo, const std::string& field) {
  std::istringstream in(meminfo);
  const std::string format = field + ": %lld kB";
  std::string line;
  while (std::getline(in, line)) {
    long long kb = 0;
    if (std::sscanf(line.c_str(), format.c_str(), &kb) == 1) return kb * 1024;
  }
  return std::nullopt;
}

std::optional<MemoryRoom> cgroup_room(const std::string& proc_self_cgroup, const std::string& cgroup_root) {
  return tightest(proc_self_cgroup, cgroup_root, room_in);
}

std::optional<MemoryRoom> cgroup_limit(const std::string& proc_self_cgroup, const std::string& cgroup_root) {
  return tightest(proc_self_cgroup, cgroup_root, limit_in);
}

MemoryRoom cpu_memory_room() {
  MemoryRoom room{kNoLimit, "unknown"};
  if (const auto meminfo = read_file("/proc/meminfo")) {
    if (const auto available = meminfo_bytes(*meminfo, "MemAvailable")) room = {*available, "MemAvailable"};
  }
  if (const auto cgroups = read_file("/proc/self/cgroup")) {
    if (const auto limited = cgroup_room(*cgroups, "/sys/fs/cgroup"); limited && limited->bytes < room.bytes) {
      room = *limited;
    }
  }
  return room;
}

int64_t cpu_memory_total() {
  int64_t total = 0;
  if (const auto meminfo = read_file("/proc/meminfo")) total = meminfo_bytes(*meminfo, "MemTotal").value_or(0);
  if (const auto cgroups = read_file("/proc/self/cgroup")) {
    if (const auto limit = cgroup_limit(*cgroups, "/sys/fs/cgroup"); limit && (total == 0 || limit->bytes < total)) {
      total = limit->bytes;
    }
  }
  return total;
}

std::string admission_refusal(double needs, const MemoryRoom& room) {
  if (needs <= double(room.bytes)) return "";
  char text[160];
  std::snprintf(text, sizeof text, "needs %.2f GB, %.2f GB free (%s)", needs / 1e9, double(room.bytes) / 1e9,
                room.source.c_str());
  return text;
}

}  // namespace shishu::bench
