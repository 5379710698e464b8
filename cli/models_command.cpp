#include "cli/models_command.h"

#include <nlohmann/json.hpp>

#include <iostream>

#include "base/utf8.h"
#include "data/paper_tables.h"
#include "models/analytic.h"
#include "models/registry.h"
#include "models/transformer.h"
#include "reports/text_table.h"

namespace shishu::cli {

nlohmann::json describe_model(const std::string& spec) {
  using namespace shishu::models;
  const ModelConfig config = resolve_model(spec);
  BuildOptions meta;
  meta.device = c10::Device(c10::DeviceType::Meta);
  const int64_t params = Transformer(config, meta)->unique_parameter_count();

  constexpr int kBf16 = 2;
  nlohmann::json row = {
      {"name", config.name},
      {"layout", config.layout.to_string()},
      {"full_layers", config.layout.full_layers},
      {"mlp_only_layers", config.layout.mlp_only_layers()},
      {"mlp_param_sets", config.layout.mlp_param_sets()},
      {"heads", config.widths.n_heads},
      {"kv_heads", config.widths.n_kv_heads},
      {"head_dim", config.widths.head_dim},
      {"d_model", config.widths.d_model},
      {"ffn_hidden", config.widths.ffn_hidden},
      {"vocab", config.widths.vocab},
      {"params", params},
      {"kv_bytes_per_token_bf16", kv_bytes_per_token(config, kBf16)},
      {"weight_bytes_bf16", params * kBf16},
      {"paper_params", nullptr},
      {"note", ""},
  };
  if (const Variant* v = find_variant(spec)) {
    row["note"] = std::string(v->note);
    if (auto printed = paper::table("table5_architectures.csv").number(v->paper_row, "params_printed")) {
      row["paper_params"] = static_cast<int64_t>(*printed);
    }
  }
  return row;
}

int run_models_command(const ModelsOptions& options) {
  std::vector<std::string> specs;
  for (const auto& v : models::variants()) specs.emplace_back(v.name);
  specs.insert(specs.end(), options.extra.begin(), options.extra.end());

  nlohmann::json rows = nlohmann::json::array();
  for (const auto& spec : specs) rows.push_back(describe_model(spec));
  if (options.json) {
    std::cout << base::json_text(rows, 2) << "\n";
    return 0;
  }
  using reports::Align;
  reports::TextTable table;
  table.headers = {"model", "layout", "heads/kv", "d_model", "ffn", "params", "Table 5", "diff",
                   "KV B/token (bf16)", "weights MB (bf16)", "note"};
  table.align = {Align::kLeft,  Align::kLeft,  Align::kRight, Align::kRight, Align::kRight, Align::kRight,
                 Align::kRight, Align::kRight, Align::kRight, Align::kRight, Align::kLeft};
  for (const auto& r : rows) {
    const auto params = r["params"].get<int64_t>();
    std::string paper = "-", diff = "-";
    if (!r["paper_params"].is_null()) {
      const auto printed = r["paper_params"].get<int64_t>();
      paper = reports::with_thousands(printed);
      diff = params == printed ? "0" : reports::with_thousands(params - printed);
    }
    table.add_row({r["name"], r["layout"],
                   std::to_string(r["heads"].get<int>()) + "/" + std::to_string(r["kv_heads"].get<int>()),
                   std::to_string(r["d_model"].get<int>()), std::to_string(r["ffn_hidden"].get<int>()),
                   reports::with_thousands(params), paper, diff,
                   reports::with_thousands(r["kv_bytes_per_token_bf16"].get<int64_t>()),
                   std::to_string(r["weight_bytes_bf16"].get<int64_t>() / 1000000), r["note"]});
  }
  std::cout << table.markdown();
  return 0;
}

}  // namespace shishu::cli
