// Tiny model configurations for fast CPU tests. The layout covers every layer kind:
// full decoder layers, an untied MLP-only layer and a tied pair.
#pragma once
#include "models/registry.h"
#include "models/transformer.h"

namespace shishu::testing {

inline models::ModelConfig tiny_config(const char* layout = "2+1+1*2") {
  models::ModelConfig c;
  c.name = std::string("tiny:") + layout;
  c.widths = {/*d_model=*/64, /*n_heads=*/4, /*n_kv_heads=*/2, /*ffn_hidden=*/96, /*head_dim=*/16, /*vocab=*/97};
  c.layout = models::parse_layout(layout);
  return c;
}

inline models::Transformer tiny_model(c10::ScalarType dtype = c10::ScalarType::Float, uint64_t seed = 7,
                                      const char* layout = "2+1+1*2",
                                      c10::Device device = c10::Device(c10::DeviceType::CPU)) {
  models::BuildOptions o;
  o.dtype = dtype;
  o.seed = seed;
  o.device = device;
  return models::Transformer(tiny_config(layout), o);
}

// Relative error ||a - b|| / ||b||, computed in fp64.
inline double relative_error(const at::Tensor& a, const at::Tensor& b) {
  auto a64 = a.to(at::kDouble).cpu(), b64 = b.to(at::kDouble).cpu();
  return (a64 - b64).norm().item<double>() / b64.norm().item<double>();
}

}  // namespace shishu::testing
