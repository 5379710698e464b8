// Axis values and ranges on the command line (`--seq 64-4096*2`, `--batch 1,2,4`):
// a list of positive integers, or std::invalid_argument naming the item.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "bench/axis_values.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    for (int64_t v : shishu::bench::parse_int_list("--seq", text)) {
      if (v <= 0) __builtin_trap();
    }
    (void)shishu::bench::parse_string_list("--models", text);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
