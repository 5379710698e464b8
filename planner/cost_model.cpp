#include "planner/cost_model.h"

#include <cctype>
#include <cmath>
#include <set>
#include <stdexcept>

#include "models/registry.h"
#include "planner/baselines.h"
#include "planner/identifiability.h"
#include "planner/least_squares.h"
#include "planner/terms.h"

namespace shishu::planner {
namespace {

// Every axis whose calibrated span is recorded, and which predictions are checked against.
struct RangeAxis {
  std::string_view name;
  bool memory_only;
  double (*value)(const LayerCounts& l, const Workload& w);
};

const std::vector<RangeAxis>& range_axes() {
  using L = const LayerCounts&;
  using W = const Workload&;
  static const std::vector<RangeAxis> table = {
      {"batch", false, [](L, W w) { return double(w.batch); }},
      {"new_tokens", false, [](L, W w) { return double(w.new_tokens); }},
      {"depth", false, [](L, W w) { return double(w.depth); }},
      {"attention_layers", false, [](L l, W) { return double(l.attention); }},
      {"mlp_sets", false, [](L l, W) { return double(l.mlp_sets); }},
      {"tied_reuses", false, [](L l, W) { return double(l.tied_reuses); }},
      {"analytic_mb", true, [](L, W w) { return w.analytic_mb; }},
  };
  return table;
}

bool applies(const RangeAxis& a, Quantity q) { return !a.memory_only || info(q).kind == Kind::memory; }

std::vector<AxisRange> ranges_of(Quantity q, const std::vector<DesignRow>& rows) {
  std::vector<AxisRange> out;
  for (const auto& axis : range_axes()) {
    if (!applies(axis, q)) continue;
    AxisRange r{std::string(axis.name), INFINITY, -INFINITY};
    for (const auto& row : rows) {
      const double v = axis.value(row.layers, row.workload);
      r.lo = std::min(r.lo, v);
      r.hi = std::max(r.hi, v);
    }
    out.push_back(r);
  }
  return out;
}

std::string widths_name_of(const models::Widths& w) {
  for (const auto& f : models::families()) {
    bool same = true;
    for (const auto& field : width_fields()) same = same && f.widths.*(field.field) == w.*(field.field);
    if (same) return std::string(f.name);
  }
  return "custom";
}

QuantityModel fit_quantity(Quantity q, const std::vector<Observation>& obs, int bytes_per_element) {
  std::vector<DesignRow> rows;
  for (const auto& o : obs) rows.push_back({layer_counts(o.model.layout), o.workload});
  require_identifiable(q, rows);
  const auto& terms = terms_for(q);
  // Row i divided by its measurement: the residuals become relative errors.
  Eigen::MatrixXd A = design_matrix(q, rows);
  for (size_t i = 0; i < obs.size(); ++i) {
    A.row(static_cast<Eigen::Index>(i)) /= fit_target(obs[i].workload, obs[i].measured);
  }
  std::vector<bool> non_negative;
  for (const auto& t : terms) non_negative.push_back(t.non_negative);
  const LsqFit f = bounded_least_squares(A, Eigen::VectorXd::Ones(A.rows()), non_negative);

  QuantityModel qm;
  qm.quantity = q;
  for (size_t j = 0; j < terms.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    qm.coefficients.push_back({std::string(terms[j].key), f.x(jj), f.stderrs(jj), f.at_bound[j]});
  }
  qm.ranges = ranges_of(q, rows);
  qm.points = static_cast<int>(obs.size());
  qm.rms_relative_residual = std::sqrt(f.rss / static_cast<double>(obs.size()));
  for (const auto& b : baselines()) {
    if (applies(b, q) && b.fitted) qm.baseline_factors.emplace_back(b.name, fit_factor(b, obs, bytes_per_element));
  }
  return qm;
}

}  // namespace

std::vector<std::string_view> range_axes_of(Quantity q) {
  std::vector<std::string_view> out;
  for (const auto& axis : range_axes()) {
    if (applies(axis, q)) out.push_back(axis.name);
  }
  return out;
}

const QuantityModel* CostModel::find(Quantity q) const {
  for (const auto& qm : quantities) {
    if (qm.quantity == q) return &qm;
  }
  return nullptr;
}

const std::vector<WidthField>& width_fields() {
  static const std::vector<WidthField> table = {
      {"d_model", &models::Widths::d_model},       {"n_heads", &models::Widths::n_heads},
      {"n_kv_heads", &models::Widths::n_kv_heads}, {"ffn_hidden", &models::Widths::ffn_hidden},
      {"head_dim", &models::Widths::head_dim},     {"vocab", &models::Widths::vocab},
  };
  return table;
}

void check_widths(const CostModel& model, const models::ModelConfig& config) {
  for (const auto& f : width_fields()) {
    const int theirs = config.widths.*(f.field), ours = model.widths.*(f.field);
    if (theirs != ours) {
      throw std::invalid_argument("'" + config.name + "' has " + std::string(f.name) + " " + std::to_string(theirs) +
                                  ", but the cost model was calibrated at " + std::string(f.name) + " " +
                                  std::to_string(ours) + " (" + model.widths_name + " widths)");
    }
  }
}

CostModel fit(const std::vector<Observation>& calibration, const Provenance& provenance) {
  if (calibration.empty()) throw std::invalid_argument("a cost model needs observations; none were given");
  if (provenance.bytes_per_element < 1) throw std::invalid_argument("provenance: bytes_per_element must be >= 1");
  CostModel m;
  m.provenance = provenance;
  m.widths = calibration.front().model.widths;
  m.widths_name = widths_name_of(m.widths);
  std::set<std::string> layouts;
  for (size_t i = 0; i < calibration.size(); ++i) {
    const auto& o = calibration[i];
    validate(o, i);
    try {
      check_widths(m, o.model);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("observation " + std::to_string(i) + ": " + e.what() + " (observation 0, '" +
                                  calibration.front().model.name + "'): a cost model is for one width");
    }
    layouts.insert(o.model.layout.to_string());
  }
  m.calibration_layouts.assign(layouts.begin(), layouts.end());
  for (const auto& row : quantities()) {
    std::vector<Observation> of_q;
    for (const auto& o : calibration) {
      if (o.workload.quantity == row.id) of_q.push_back(o);
    }
    if (!of_q.empty()) m.quantities.push_back(fit_quantity(row.id, of_q, provenance.bytes_per_element));
  }
  return m;
}

Prediction predict(const CostModel& model, const models::ModelConfig& layout, const Workload& w) {
  validate(w);
  check_widths(model, layout);
  const QuantityModel* qm = model.find(w.quantity);
  if (!qm) {
    std::string calibrated;
    for (const auto& q : model.quantities) calibrated += " " + std::string(info(q.quantity).name);
    throw std::invalid_argument("the cost model has no calibration of " + std::string(info(w.quantity).name) +
                                " (calibrated:" + calibrated + ")");
  }
  const LayerCounts layers = layer_counts(layout.layout);
  const auto& terms = terms_for(w.quantity);
  Prediction p;
  p.quantity = w.quantity;
  double target = 0;
  for (size_t j = 0; j < terms.size(); ++j) {
    const double c = qm->coefficients[j].value * terms[j].feature(layers, w);
    p.contributions.push_back({terms[j].key, c});
    target += c;
  }
  p.value = from_fit_target(w, target);
  for (const auto& axis : range_axes()) {
    if (!applies(axis, w.quantity)) continue;
    const double v = axis.value(layers, w);
    for (const auto& r : qm->ranges) {
      if (r.axis == axis.name && (v < r.lo || v > r.hi)) p.extrapolated.emplace_back(axis.name);
    }
  }
  if (!model.transferred_from.empty()) p.extrapolated.emplace_back("width");
  return p;
}

models::ModelConfig resolve_layout(const CostModel& model, std::string_view spec) {
  models::ModelConfig c;
  const bool bare_layout = !spec.empty() && std::isdigit(static_cast<unsigned char>(spec.front())) &&
                           spec.find(':') == std::string_view::npos && !models::find_variant(spec);
  if (bare_layout) {
    c.widths = model.widths;
    c.layout = models::parse_layout(spec);
    c.name = model.widths_name + ":" + c.layout.to_string();
  } else {
    c = models::resolve_model(spec);
  }
  check_widths(model, c);
  return c;
}

}  // namespace shishu::planner
