// The variant registry: every named model is a row of data (a width family plus a
// layout), and custom models are "<base>:<layout>" specs over any family or variant.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/model_config.h"

namespace shishu::models {

struct Family {
  std::string_view name;  // "125m", "350m", ..., "1.5b", "1.5b-as-counted"
  Widths widths;
};

struct Variant {
  std::string_view name;       // stable registry name, e.g. "shishulm-125m-s"
  std::string_view family;     // Family::name
  std::string_view layout;     // layout grammar text, e.g. "20+7*2"
  std::string_view paper_row;  // Table 5 row this variant corresponds to
  std::string_view note;       // why it differs from Table 5, if it does
};

const std::vector<Family>& families();
const std::vector<Variant>& variants();

// Resolves a model spec to a config. A spec is either a registry name
// ("shishulm-125m") or "<base>:<layout>" where base is a family ("125m") or a registry
// name whose widths are reused ("mobilellm-350m:10+22"). Throws std::invalid_argument
// with a message that lists the valid names, or LayoutError for a bad layout.
ModelConfig resolve_model(std::string_view spec);

const Variant* find_variant(std::string_view name);
const Family* find_family(std::string_view name);

}  // namespace shishu::models
