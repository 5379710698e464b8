// The explicit width transfer: a cost model calibrated at one width (125M) predicting
// another (350M), asked for by name (`--scale 350m`), never implied. Each coefficient is
// scaled by the ratio of the work behind its term at the two widths (Term::width_scale,
// from models/analytic.h's counts): a layer term by its layer kind's weights (weight
// reads a call, and 2 FLOPs a weight a token), attention's per-pair term by query
// heads x head_dim, the head's by vocab x d_model, the workspace's by d_model +
// ffn_hidden; the per-call overhead, the allocator's factor and the fixed workspace are
// kept. That holds where time follows work at both widths alike: efficiency that
// changes with the matrix sizes (a wider matmul running nearer the peak) is what it
// misses, and why every such prediction is flagged "width" (planner/CALIBRATION.md).
#pragma once
#include <string_view>

#include "models/model_config.h"
#include "planner/cost_model.h"
#include "planner/terms.h"

namespace shishu::planner {

// The ratio of a term's work at `to` over `from`.
double width_ratio(WidthScale scale, const models::Widths& from, const models::Widths& to);

// The model at a family's widths ("350m"): itself where the widths are its own, else a
// copy with every coefficient (and its standard error) scaled and `transferred_from`
// set. Throws std::invalid_argument for an unknown family, listing the known ones.
CostModel transfer_width(const CostModel& model, std::string_view family);

}  // namespace shishu::planner
