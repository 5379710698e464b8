// The room a point may still take on the CPU (bench/memory_room.h), from files laid out
// as the kernel lays them out: MemAvailable, and every cgroup limit from the process's
// cgroup up to the root, page cache not counted as used.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "bench/memory_room.h"

using namespace shishu::bench;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

}  // namespace

TEST(MemoryRoom, MemAvailableIsReadInBytes) {
  EXPECT_EQ(meminfo_bytes("MemTotal:       24000000 kB\nMemFree: 1 kB\nMemAvailable:   20000000 kB\n", "MemAvailable"),
            int64_t{20000000} * 1024);
  EXPECT_EQ(meminfo_bytes("MemTotal: 1 kB\n", "MemAvailable"), std::nullopt);
  EXPECT_EQ(meminfo_bytes("MemTotal:       24000000 kB\nMemAvailable: 2 kB\n", "MemTotal"), int64_t{24000000} * 1024);
}

TEST(MemoryRoom, TheTightestCgroupOnThePathToTheRootBinds) {
  const fs::path root = fs::temp_directory_path() / ("shishu-cgroup-" + std::to_string(::getpid()));
  fs::remove_all(root);
  // v1: a 4 GiB limit on /jobs, 3 GiB on /jobs/run (1 GiB used, 256 MiB of it page cache).
  write(root / "memory/jobs/memory.limit_in_bytes", "4294967296\n");
  write(root / "memory/jobs/memory.usage_in_bytes", "0\n");
  write(root / "memory/jobs/run/memory.limit_in_bytes", "3221225472\n");
  write(root / "memory/jobs/run/memory.usage_in_bytes", "1073741824\n");
  write(root / "memory/jobs/run/memory.stat", "cache 1\ntotal_inactive_file 268435456\n");
  write(root / "memory/memory.limit_in_bytes", "9223372036854771712\n");  // v1's "no limit"
  const auto v1 = cgroup_room("4:memory:/jobs/run\n3:cpu:/\n", root.string());
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->bytes, int64_t{3221225472} - (int64_t{1073741824} - 268435456));
  EXPECT_NE(v1->source.find("/jobs/run"), std::string::npos) << v1->source;
  // What may be held is the tightest limit itself, whatever is in use now.
  const auto held = cgroup_limit("4:memory:/jobs/run\n3:cpu:/\n", root.string());
  ASSERT_TRUE(held);
  EXPECT_EQ(held->bytes, int64_t{3221225472});
  // v2: "max" is no limit; the parent's 1 GiB binds.
  write(root / "v2/a/memory.max", "1073741824\n");
  write(root / "v2/a/memory.current", "0\n");
  write(root / "v2/a/b/memory.max", "max\n");
  const auto v2 = cgroup_room("0::/a/b\n", (root / "v2").string());
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->bytes, int64_t{1073741824});
  EXPECT_FALSE(cgroup_room("0::/none\n", (root / "v2").string()));
  fs::remove_all(root);
}

TEST(MemoryRoom, ARefusalNamesBothFiguresAndTheSource) {
  const MemoryRoom room{int64_t{3} << 30, "MemAvailable"};
  EXPECT_EQ(admission_refusal(1e9, room), "");
  EXPECT_EQ(admission_refusal(12.4e9, room), "needs 12.40 GB, 3.22 GB free (MemAvailable)");
}
