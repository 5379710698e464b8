// The design matrix of one quantity's model, and the refusal of a calibration that
// cannot tell a term apart: the message names the term, why, and a layout or a
// workload that would separate it (found by trying candidates, smallest first).
#pragma once
#include <Eigen/Dense>
#include <vector>

#include "planner/quantity.h"

namespace shishu::planner {

struct DesignRow {
  LayerCounts layers;
  Workload workload;
};

// rows x terms_for(q): each row the term features of one observation.
Eigen::MatrixXd design_matrix(Quantity q, const std::vector<DesignRow>& rows);

// Throws std::invalid_argument, e.g. "decode_ms: the MLP-only term, per call is not
// identifiable: every calibration layout has 0 MLP-only layers; add e.g. 1+1", when
// any term's column is a combination of the others over these rows.
void require_identifiable(Quantity q, const std::vector<DesignRow>& rows);

}  // namespace shishu::planner
