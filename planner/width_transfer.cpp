#include "planner/width_transfer.h"

#include <stdexcept>
#include <string>

#include "models/analytic.h"
#include "models/registry.h"

namespace shishu::planner {
namespace {

double work(WidthScale scale, const models::Widths& w) {
  models::ModelConfig c;
  c.widths = w;
  const models::ParamBreakdown p = models::count_params(c);  // per-layer counts need no layout
  switch (scale) {
    case WidthScale::none: return 1;
    case WidthScale::attention_layer: return double(p.per_full_layer);
    case WidthScale::attention_context: return double(w.n_heads) * w.head_dim;
    case WidthScale::mlp_layer: return double(p.per_mlp_set);
    case WidthScale::head_row: return double(w.vocab) * w.d_model;
    case WidthScale::activation_token: return double(w.d_model) + w.ffn_hidden;
  }
  throw std::logic_error("a WidthScale without a case in planner/width_transfer.cpp");
}

}  // namespace

double width_ratio(WidthScale scale, const models::Widths& from, const models::Widths& to) {
  return work(scale, to) / work(scale, from);
}

CostModel transfer_width(const CostModel& model, std::string_view family) {
  const models::Family* f = models::find_family(family);
  if (!f) {
    std::string known;
    for (const auto& fam : models::families()) known += (known.empty() ? "" : ", ") + std::string(fam.name);
    throw std::invalid_argument("--scale '" + std::string(family) + "' is not a width family (known: " + known + ")");
  }
  bool same = true;
  for (const auto& field : width_fields()) same = same && f->widths.*(field.field) == model.widths.*(field.field);
  if (same) return model;
  CostModel out = model;
  out.widths = f->widths;
  out.widths_name = std::string(f->name);
  out.transferred_from = model.widths_name;
  for (auto& qm : out.quantities) {
    const auto& terms = terms_for(qm.quantity);
    for (size_t j = 0; j < terms.size(); ++j) {
      const double k = width_ratio(terms[j].width_scale, model.widths, f->widths);
      qm.coefficients[j].value *= k;
      qm.coefficients[j].stderr_value *= k;
    }
  }
  return out;
}

}  // namespace shishu::planner
