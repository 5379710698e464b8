// Sweep presets (`run --preset FILE`): a JSON text either expands to valid points or is
// refused with std::invalid_argument naming the key or value.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/preset.h"
#include "bench/sweep.h"
#include "our_words.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    shishu::bench::Sweep sweep = shishu::bench::parse_sweep(text, "fuzz.json");
    // Expansion multiplies the axes; a huge product is a legitimate preset, not a bug,
    // so only small ones are expanded here.
    size_t product = 1;
    for (const auto& g : sweep.grids) {
      std::vector<size_t> sizes = {g.phases.size(), g.models.size(), g.dtypes.size(), g.devices.size(),
                                   g.modes.size()};
      for (const auto& [axis, values] : g.shape) sizes.push_back(values.size());
      for (size_t n : sizes) {
        product *= n == 0 ? 1 : n;
        if (product > 4096) return 0;
      }
    }
    (void)shishu::bench::expand(sweep);
  } catch (const std::invalid_argument& e) {
    shishu::fuzz::require_our_words(e.what(), text);
  }
  return 0;
}
