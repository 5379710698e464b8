// The CPU clock's injected slowdown (run --inject-slowdown), which the gate's power
// study relies on: every interval the clock reports must grow by at least the fraction.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "bench/clock.h"

using namespace shishu::bench;

TEST(Clock, InjectedSlowdownLengthensEveryInterval) {
  Timeline plain(c10::Device(c10::DeviceType::CPU), 3), slowed(c10::Device(c10::DeviceType::CPU), 3);
  slowed.inject_slowdown(1.0);  // +100%: each interval at least doubles
  for (Timeline* t : {&plain, &slowed}) {
    t->on_start();
    for (int i = 0; i < 3; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      t->on_token(i);
    }
  }
  const auto p = plain.read_ms(), s = slowed.read_ms();
  ASSERT_EQ(s.size(), 3u);
  // Lower bounds only (a busy machine can only lengthen): the work is >= 10 ms, and the
  // busy-wait adds as much again before the mark.
  double previous = 0;
  for (double mark : s) {
    EXPECT_GE(mark - previous, 20.0);
    previous = mark;
  }
  EXPECT_GE(p[0], 10.0);
}
