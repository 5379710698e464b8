// safetensors headers (`run --weights`, `generate`, `evaluate`): the parser accepts a file
// only if every tensor lies inside the buffer, and refuses anything else with
// CheckpointError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "models/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto header = shishu::models::parse_safetensors_header(bytes, size, "fuzz.safetensors");
    for (const auto& t : header.tensors) {
      // What the loader relies on: every tensor's bytes are inside the file.
      if (header.buffer_offset + t.end > size || t.begin > t.end) __builtin_trap();
    }
  } catch (const shishu::models::CheckpointError&) {
  }
  return 0;
}
