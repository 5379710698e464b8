#include "models/precision.h"

#include <stdexcept>

namespace shishu::models {
namespace {

struct ElementRow {
  Element element;
  const char* name;
  const char* long_name;
  int bytes;
};

constexpr ElementRow kElements[] = {
    {Element::kF32, "fp32", "float32", 4},
    {Element::kBf16, "bf16", "bfloat16", 2},
    {Element::kF16, "fp16", "float16", 2},
};

const ElementRow& row(Element e) {
  for (const auto& r : kElements) {
    if (r.element == e) return r;
  }
  throw std::logic_error("an element type without a row in models/precision.cpp");
}

}  // namespace

int element_bytes(Element e) { return row(e).bytes; }
const char* element_name(Element e) { return row(e).name; }

Element parse_element(std::string_view name) {
  for (const auto& r : kElements) {
    if (name == r.name || name == r.long_name) return r.element;
  }
  throw std::invalid_argument("unknown dtype '" + std::string(name) + "'; use fp32, bf16 or fp16" +
                              (name == "amp_bf16" ? " (amp_bf16 is a precision of benchmark points only)" : ""));
}

const std::vector<Dtype>& dtype_table() {
  static const std::vector<Dtype> kTable = [] {
    std::vector<Dtype> t;
    for (const auto& r : kElements) t.push_back({r.name, r.element, r.element});
    t.push_back({"amp_bf16", Element::kF32, Element::kBf16});
    return t;
  }();
  return kTable;
}

Dtype parse_dtype_name(std::string_view name) {
  for (const auto& d : dtype_table()) {
    if (name == d.name) return d;
  }
  try {
    const Element e = parse_element(name);
    return {element_name(e), e, e};
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("unknown dtype '" + std::string(name) + "'; use fp32, bf16, fp16 or amp_bf16");
  }
}

}  // namespace shishu::models
