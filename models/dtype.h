// Element types a model can be built in, by their short names (fp32, bf16, fp16), and
// precisions: how weights are stored and in which type the matmuls run (amp_bf16: fp32
// master weights under bf16 autocast, the paper's mixed-precision training).
#pragma once
#include <c10/core/ScalarType.h>

#include <string>
#include <string_view>

#include "models/precision.h"

namespace shishu::models {

// Throws std::invalid_argument naming the value and the accepted names.
c10::ScalarType parse_dtype(std::string_view name);
std::string dtype_name(c10::ScalarType type);
int dtype_bytes(c10::ScalarType type);

struct Precision {
  std::string name;                                 // fp32, bf16, fp16, amp_bf16
  c10::ScalarType storage = c10::ScalarType::Float;  // weights, gradients, optimizer state
  c10::ScalarType compute = c10::ScalarType::Float;  // matmul outputs, logits, KV cache
  bool autocast() const { return storage != compute; }
};

c10::ScalarType scalar_type(Element e);
// The dtype axis's value (models/precision.h) with LibTorch's types.
Precision precision_of(const Dtype& dtype);
// fp32, bf16, fp16 (storage = compute) or amp_bf16. Throws std::invalid_argument naming
// the value and the accepted names.
Precision parse_precision(std::string_view name);

// Autocast to the precision's compute type on `device` for this scope (nothing when the
// precision is not mixed). Restores the previous state, and clears autocast's cast
// cache on leaving, as torch.autocast does.
class AutocastScope {
 public:
  AutocastScope(c10::DeviceType device, const Precision& precision);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  c10::DeviceType device_;
  bool active_;
  bool was_enabled_ = false;
  c10::ScalarType was_dtype_ = c10::ScalarType::Float;
};

}  // namespace shishu::models
