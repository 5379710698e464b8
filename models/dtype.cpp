#include "models/dtype.h"

#include <ATen/autocast_mode.h>

#include <stdexcept>

namespace shishu::models {

c10::ScalarType parse_dtype(std::string_view name) {
  if (name == "fp32" || name == "float32") return c10::ScalarType::Float;
  if (name == "bf16" || name == "bfloat16") return c10::ScalarType::BFloat16;
  if (name == "fp16" || name == "float16") return c10::ScalarType::Half;
  throw std::invalid_argument("unknown dtype '" + std::string(name) + "'; use fp32, bf16 or fp16" +
                              (name == "amp_bf16" ? " (amp_bf16 is a precision of benchmark points only)" : ""));
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

Precision parse_precision(std::string_view name) {
  if (name == "amp_bf16") return {"amp_bf16", c10::ScalarType::Float, c10::ScalarType::BFloat16};
  try {
    const c10::ScalarType t = parse_dtype(name);
    return {dtype_name(t), t, t};
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("unknown dtype '" + std::string(name) + "'; use fp32, bf16, fp16 or amp_bf16");
  }
}

AutocastScope::AutocastScope(c10::DeviceType device, const Precision& precision)
    : device_(device), active_(precision.autocast()) {
  if (!active_) return;
  was_enabled_ = at::autocast::is_autocast_enabled(device);
  was_dtype_ = at::autocast::get_autocast_dtype(device);
  at::autocast::set_autocast_enabled(device, true);
  at::autocast::set_autocast_dtype(device, precision.compute);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_autocast_enabled(device_, was_enabled_);
  at::autocast::set_autocast_dtype(device_, was_dtype_);
}

}  // namespace shishu::models
