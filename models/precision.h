// The dtype axis as a value, torch-free: the precisions a point runs in, one row each,
// with the element type of its storage (weights, gradients, optimizer state) and of its
// compute (matmul outputs, logits, KV cache). The sweep, the point list and the reports
// parse it without LibTorch; models/dtype.h gives each element its c10::ScalarType.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace shishu::models {

enum class Element { kF32, kBf16, kF16 };

int element_bytes(Element e);
const char* element_name(Element e);  // fp32, bf16, fp16
// fp32, bf16, fp16 and their long names (float32, bfloat16, float16). Throws
// std::invalid_argument naming the value.
Element parse_element(std::string_view name);

struct Dtype {
  std::string name = "bf16";  // canonical: fp32, bf16, fp16 or amp_bf16
  Element storage = Element::kBf16;
  Element compute = Element::kBf16;
  // amp_bf16: fp32 master weights under bf16 autocast, the paper's mixed-precision training.
  bool mixed() const { return storage != compute; }
  bool operator==(const Dtype& o) const { return name == o.name; }
  bool operator!=(const Dtype& o) const { return name != o.name; }
  bool operator<(const Dtype& o) const { return name < o.name; }
};

// A plain element name (canonical or long) or amp_bf16. Throws std::invalid_argument
// naming the value and the accepted names.
Dtype parse_dtype_name(std::string_view name);
const std::vector<Dtype>& dtype_table();

}  // namespace shishu::models
