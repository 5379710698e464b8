// How much memory a point may still take on the CPU, from the kernel's own figures: the
// smaller of MemAvailable (/proc/meminfo) and the room left under every cgroup limit on
// the way from this process's cgroup to the root (v2 memory.max, v1
// memory.limit_in_bytes), since a point past a cgroup's limit is OOM-killed with the
// whole process. Torch-free and file-driven, so that tests give it their own files.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace shishu::bench {

struct MemoryRoom {
  int64_t bytes = 0;
  std::string source;  // e.g. "MemAvailable", "cgroup /shishu memory.max"
};

// A field of a /proc/meminfo text ("MemAvailable", "MemTotal"), in bytes.
std::optional<int64_t> meminfo_bytes(const std::string& meminfo, const std::string& field);

// The room under the cgroup limits that `proc_self_cgroup` (its text) names, with the
// cgroup filesystems mounted at `cgroup_root` (/sys/fs/cgroup, where v1 controllers are
// folders such as memory/ and v2 is the root or unified/). nullopt: no limit applies.
std::optional<MemoryRoom> cgroup_room(const std::string& proc_self_cgroup, const std::string& cgroup_root);

// The smallest of those limits themselves (what may be held, not what is left).
std::optional<MemoryRoom> cgroup_limit(const std::string& proc_self_cgroup, const std::string& cgroup_root);

// This machine's room for this process: the smaller of the two.
MemoryRoom cpu_memory_room();

// The memory this process may ever hold on this machine: MemTotal, or the smallest
// cgroup limit above it where one is lower (a report's device memory on the CPU, for
// "the longest context that fits"); 0 where neither can be read.
int64_t cpu_memory_total();

// "needs 12.4 GB, 3.1 GB free (MemAvailable)": why a point is skipped, or "" when
// `needs` fits in `room`.
std::string admission_refusal(double needs, const MemoryRoom& room);

}  // namespace shishu::bench
