// config.json beside a checkpoint (`--weights`, `--model config.json`): a model comes out,
// or CheckpointError naming the field, never anything else.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>

#include "models/hf_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  try {
    const auto config = shishu::models::model_from_hf_config(j, "config.json");
    (void)shishu::models::hf_tensors(config);
  } catch (const shishu::models::CheckpointError&) {
  }
  return 0;
}
