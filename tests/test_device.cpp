// The one device rule (bench/device_info.h), with the device count passed in so that it
// runs without a GPU. On the first GPU run "cuda" reached the caching allocator as index
// -1 and every CUDA point failed; below parse_device no consumer may see an unresolved
// CUDA device, and each one refuses it.
#include <gtest/gtest.h>

#include <stdexcept>

#include "bench/clock.h"
#include "bench/device_info.h"
#include "bench/memory_probe.h"

using namespace shishu::bench;
using shishu::base::DeviceName;

namespace {
// The rule is on values; each case parses its name first, as every caller does.
std::string resolve_device_name(const char* name, int64_t count) {
  return shishu::bench::resolve_device_name(DeviceName::parse(name), count).str();
}
std::string device_unavailable_reason(const char* name, int64_t count) {
  return shishu::bench::device_unavailable_reason(DeviceName::parse(name), count);
}
}  // namespace

TEST(DeviceResolution, CudaGetsAnExplicitIndex) {
  EXPECT_EQ(resolve_device_name("cuda", 1), "cuda:0");
  EXPECT_EQ(resolve_device_name("cuda", 8), "cuda:0");
  EXPECT_EQ(resolve_device_name("cuda:3", 4), "cuda:3");
  EXPECT_EQ(resolve_device_name("cpu", 0), "cpu");
  EXPECT_EQ(resolve_device_name("cpu", 2), "cpu");
}

TEST(DeviceResolution, UnavailableDevicesAreNamed) {
  EXPECT_EQ(device_unavailable_reason("cuda", 0), "no CUDA device is available here");
  EXPECT_EQ(device_unavailable_reason("cuda:0", 0), "no CUDA device is available here");
  EXPECT_EQ(device_unavailable_reason("cuda:2", 2), "this machine has 2 CUDA device(s), so no cuda:2");
  EXPECT_EQ(device_unavailable_reason("cuda:1", 2), "");
  try {
    (void)resolve_device_name("cuda:4", 2);
    FAIL() << "cuda:4 on two devices resolved";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "device 'cuda:4' requested, but this machine has 2 CUDA device(s), so no cuda:4");
  }
  EXPECT_THROW((void)resolve_device_name("gpu", 1), std::invalid_argument);
  EXPECT_THROW((void)resolve_device_name("cuda:", 1), std::invalid_argument);
}

TEST(DeviceResolution, ResolveDeviceUsesThisMachinesCount) {
  EXPECT_EQ(resolve_device(DeviceName::parse("cpu")), c10::Device(c10::DeviceType::CPU));
  if (shishu::bench::device_unavailable_reason(DeviceName::parse("cuda")).empty()) {
    EXPECT_EQ(resolve_device(DeviceName::parse("cuda")).index(), 0);  // a GPU machine: resolved, never -1
  } else {
    EXPECT_THROW((void)resolve_device(DeviceName::parse("cuda")), std::invalid_argument);
  }
}

TEST(DeviceNames, ParseTheSpellingsAndNameTheRest) {
  EXPECT_EQ(DeviceName::parse("cuda:12").str(), "cuda:12");
  EXPECT_EQ(DeviceName::parse("cuda").index, -1);
  EXPECT_EQ(DeviceName::parse("cpu").str(), "cpu");
  for (const char* bad : {"gpu", "cuda:", "cuda:12345", "cuda:-1", "cuda:1a", "CPU", " cpu", ""}) {
    try {
      (void)DeviceName::parse(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("'" + std::string(bad) + "'"), std::string::npos) << e.what();
    }
  }
}

// Every per-index consumer refuses "cuda" without an index, before touching CUDA, so
// this holds on a machine without a GPU.
TEST(DeviceResolution, ConsumersRefuseAnUnresolvedCudaDevice) {
  const c10::Device unresolved("cuda");
  ASSERT_EQ(unresolved.index(), -1);
  EXPECT_THROW(MemoryProbe{unresolved}, std::logic_error);
  EXPECT_THROW((Timeline{unresolved, 1}), std::logic_error);
  EXPECT_THROW((void)probe_device(unresolved), std::logic_error);
  EXPECT_NO_THROW(MemoryProbe{c10::Device("cuda:0")});  // constructing one touches no GPU
  EXPECT_NO_THROW(MemoryProbe{c10::Device(c10::DeviceType::CPU)});
}
