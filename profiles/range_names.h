// Names of the ranges the model and the harness mark, shared by the code that emits
// them and the summary that reads them back.
#pragma once

namespace shishu::profiles {

inline constexpr const char* kPassRange = "profiled_pass";
inline constexpr const char* kForwardRange = "forward";
inline constexpr const char* kBackwardRange = "backward";
inline constexpr const char* kPrefillRange = "prefill";
inline constexpr const char* kDecodeStepRange = "decode_step";
inline constexpr const char* kAttentionLayerRange = "attention_layer";  // a full decoder layer
inline constexpr const char* kMlpOnlyLayerRange = "mlp_only_layer";

}  // namespace shishu::profiles
