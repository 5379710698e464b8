#include "models/dtype.h"

#include <ATen/autocast_mode.h>

#include <stdexcept>

namespace shishu::models {

c10::ScalarType scalar_type(Element e) {
  switch (e) {
    case Element::kF32: return c10::ScalarType::Float;
    case Element::kBf16: return c10::ScalarType::BFloat16;
    case Element::kF16: return c10::ScalarType::Half;
  }
  throw std::logic_error("an element type without a ScalarType in models/dtype.cpp");
}

c10::ScalarType parse_dtype(std::string_view name) { return scalar_type(parse_element(name)); }

std::string dtype_name(c10::ScalarType type) {
  switch (type) {
    case c10::ScalarType::Float: return "fp32";
    case c10::ScalarType::BFloat16: return "bf16";
    case c10::ScalarType::Half: return "fp16";
    default: return c10::toString(type);
  }
}

int dtype_bytes(c10::ScalarType type) { return static_cast<int>(c10::elementSize(type)); }

Precision precision_of(const Dtype& dtype) {
  return {dtype.name, scalar_type(dtype.storage), scalar_type(dtype.compute)};
}

Precision parse_precision(std::string_view name) { return precision_of(parse_dtype_name(name)); }

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
