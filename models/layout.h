// Layer layout grammar: which layers are full decoder layers and which are MLP-only,
// and which MLP-only layers share one parameter set.
//
//   layout   := full ( '+' term )*
//   term     := count              -- `count` MLP-only layers, each with its own weights
//             | count '*' tie      -- `count` groups of `tie` consecutive MLP-only layers,
//                                     each group sharing one parameter set (tie >= 2)
//
// Examples: "30" or "30+0" (MobileLLM-125M), "20+13" (ShishuLM-125M),
// "20+7*2" (ShishuLM-125M-s), "21+1+6*2", "10+20". Full layers always come first,
// as in the paper: attention at the bottom of the stack, MLP-only layers on top.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace shishu::models {

struct MlpTerm {
  int count = 0;  // number of parameter sets in this term
  int tie = 1;    // consecutive layers that share each parameter set
};

struct Layout {
  int full_layers = 0;
  std::vector<MlpTerm> mlp_terms;

  int mlp_only_layers() const;     // MLP-only layers executed per forward
  int mlp_param_sets() const;      // distinct MLP-only parameter sets stored
  int total_layers() const { return full_layers + mlp_only_layers(); }
  // For each MLP-only layer in execution order, the index of the parameter set it uses.
  std::vector<int> mlp_schedule() const;
  // Canonical text, e.g. "20+7*2"; parse_layout(to_string()) round-trips.
  std::string to_string() const;
};

class LayoutError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Largest total layer count accepted; the paper's deepest model has 60.
inline constexpr int kMaxLayers = 1024;

// Parses a layout; throws LayoutError with a message that quotes the layout and says
// what is wrong and where.
Layout parse_layout(std::string_view text);

}  // namespace shishu::models
