#include "bench/point.h"

#include <stdexcept>

namespace shishu::bench {

int64_t Point::axis(Axis a) const {
  const auto it = shape.find(a);
  if (it == shape.end()) throw std::invalid_argument("point " + id() + " has no " + axis_name(a) + " axis");
  return it->second;
}

std::string Point::shape_text() const {
  std::string s;
  for (const auto& [a, value] : shape) s += (s.empty() ? "" : " ") + std::string(axis_row(a).id_letter) + std::to_string(value);
  return s;
}

std::string Point::id() const {
  std::string s = phase + "/" + model + "/" + dtype.name + "/" + device.str() + "/" + mode.name();
  for (const auto& [a, value] : shape) s += "/" + std::string(axis_row(a).id_letter) + std::to_string(value);
  return s;
}

}  // namespace shishu::bench
