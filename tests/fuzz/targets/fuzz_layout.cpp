// The layout grammar and model specs (`--models`, `models --also`): any text either
// resolves to a valid config or throws std::invalid_argument, never anything else.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "models/analytic.h"
#include "models/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const shishu::models::ModelConfig c = shishu::models::resolve_model(text);
    shishu::models::validate(c);
    // A resolved layout round-trips through its canonical text.
    if (shishu::models::parse_layout(c.layout.to_string()).to_string() != c.layout.to_string()) __builtin_trap();
    (void)shishu::models::count_params(c);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
