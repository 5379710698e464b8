#include "models/dtype.h"

#include <stdexcept>

namespace shishu::models {

c10::ScalarType parse_dtype(std::string_view name) {
  if (name == "fp32" || name == "float32") return c10::ScalarType::Float;
  if (name == "bf16" || name == "bfloat16") return c10::ScalarType::BFloat16;
  if (name == "fp16" || name == "float16") return c10::ScalarType::Half;
  throw std::invalid_argument("unknown dtype '" + std::string(name) + "'; use fp32, bf16 or fp16");
}

std::string dtype_name(c10::ScalarType type) {
  switch (type) {
    case c10::ScalarType::Float: return "fp32";
    case c10::ScalarType::BFloat16: return "bf16";
    case c10::ScalarType::Half: return "fp16";
    default: return c10::toString(type);
  }
}

int dtype_bytes(c10::ScalarType type) { return static_cast<int>(c10::elementSize(type)); }

}  // namespace shishu::models
