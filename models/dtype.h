// Element types a model can be built in, by their short names (fp32, bf16, fp16).
#pragma once
#include <c10/core/ScalarType.h>

#include <string>
#include <string_view>

namespace shishu::models {

// Throws std::invalid_argument naming the value and the accepted names.
c10::ScalarType parse_dtype(std::string_view name);
std::string dtype_name(c10::ScalarType type);
int dtype_bytes(c10::ScalarType type);

}  // namespace shishu::models
