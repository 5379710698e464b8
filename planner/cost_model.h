// The layout planner's cost model: one fitted linear model per measured quantity over
// the terms of planner/terms.h, calibrated at one model width on one device, and the
// predictions it makes for any layout at that width.
//
//   std::vector<Observation> calib = ...;            // from a report (the caller's job)
//   CostModel m = fit(calib, provenance);            // refuses a design it cannot fit
//   Prediction p = predict(m, resolve_layout(m, "20+7*2"), {Quantity::decode_ms, 1, 1, 512});
//   p.value;         // ms per decode step
//   p.extrapolated;  // e.g. {"attention_layers", "depth"}: outside the calibrated range
//
// Fitting minimises the relative error, sum(((prediction - measured) / measured)^2),
// since that is what the scores measure and timings span three decades; every time
// term is held non-negative (a cost), memory's fixed term may take either sign.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "models/model_config.h"
#include "planner/quantity.h"

namespace shishu::planner {

// Where a calibration was measured. The named fields are compared when a model file
// is used (check_provenance); `context` is the caller's own record (device details,
// LibTorch version, ...), carried along and never interpreted.
struct Provenance {
  std::string device;         // e.g. "cpu: AMD EPYC 7B13" or "cuda: NVIDIA H200"
  std::string dtype;          // e.g. "fp32", "bf16"
  std::string build_commit;   // the harness build the observations came from
  int bytes_per_element = 4;  // of weights and the KV cache, for the analytic bytes
  nlohmann::json context = nlohmann::json::object();
};

struct Coefficient {
  std::string term;         // Term::key
  double value = 0;         // in the term's unit (terms.h)
  double stderr_value = 0;  // standard error; NaN where unknown (at its bound, or no dof)
  bool at_bound = false;    // held at 0 by its sign constraint
};

// The calibrated span of one axis: a prediction outside it is extrapolated.
struct AxisRange {
  std::string axis;  // batch, new_tokens, depth, attention_layers, mlp_sets, tied_reuses, analytic_mb
  double lo = 0, hi = 0;
};

struct QuantityModel {
  Quantity quantity = Quantity::forward_ms;
  std::vector<Coefficient> coefficients;  // in terms_for(quantity) order
  std::vector<AxisRange> ranges;
  int points = 0;
  double rms_relative_residual = 0;  // sqrt(mean(((fit - measured) / measured)^2)) on the calibration
  std::vector<std::pair<std::string, double>> baseline_factors;  // fitted baselines' factors
};

struct CostModel {
  Provenance provenance;
  models::Widths widths;                         // every layout it predicts must have these
  std::string widths_name;                       // the family with these widths ("125m"), or "custom"
  std::vector<std::string> calibration_layouts;  // canonical layout texts, sorted
  std::vector<QuantityModel> quantities;
  // Set by transfer_width() (width_transfer.h): the widths' name the model was
  // calibrated at. Every prediction of such a model is flagged "width"; it is never
  // saved (the transfer is asked for at each use).
  std::string transferred_from;

  const QuantityModel* find(Quantity q) const;
};

// Fits every quantity that has observations. Throws std::invalid_argument: for no
// observations, mixed widths (naming the field and both models), a bad workload or
// measurement, and for a design that cannot tell a term apart (identifiability.h).
CostModel fit(const std::vector<Observation>& calibration, const Provenance& provenance);

struct Contribution {
  std::string_view term;  // Term::key
  double value = 0;       // in the fit target's unit: ms per call (rates: per step), MB
};

struct Prediction {
  Quantity quantity = Quantity::forward_ms;
  double value = 0;                         // in the quantity's unit
  std::vector<std::string> extrapolated;    // the axes (AxisRange::axis) outside the calibrated range,
                                            // and "width" for a width-transferred model
  std::vector<Contribution> contributions;  // per term; they sum to the fit target
};

// Throws std::invalid_argument for a quantity the model was not calibrated for, a model
// of other widths (naming the field) or a bad workload.
Prediction predict(const CostModel& model, const models::ModelConfig& layout, const Workload& w);

// A registry name ("shishulm-125m"), a "<base>:<layout>" spec, or a bare layout
// ("20+7*2") at the model's widths. Bad layouts throw models::LayoutError (the
// parser's message); other widths throw std::invalid_argument naming the field.
models::ModelConfig resolve_layout(const CostModel& model, std::string_view spec);

// The names of the axes whose calibrated range a model of `q` records, in order.
std::vector<std::string_view> range_axes_of(Quantity q);

// The widths' fields by name, for comparison and the model file.
struct WidthField {
  std::string_view name;
  int models::Widths::*field;
};
const std::vector<WidthField>& width_fields();

// Throws std::invalid_argument naming the first width field of `config` that differs
// from the model's.
void check_widths(const CostModel& model, const models::ModelConfig& config);

}  // namespace shishu::planner
