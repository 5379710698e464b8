// Least squares with sign constraints, and the rank test that says which columns a
// design cannot tell apart. Eigen does the linear algebra (ColPivHouseholderQR).
//
// Why the constrained solve is written here: Debian bookworm's Eigen (3.4.0) has no
// NNLS module (unsupported/Eigen/NNLS arrived upstream after 3.4), LibTorch is not
// allowed in this torch-free layer, and the cost models have at most ~10 columns. At
// that size the exact method is to enumerate the active set: the constrained optimum is
// the unconstrained least-squares solution on its own support (the free columns plus
// the constrained ones it keeps positive), and every feasible candidate has a residual
// no smaller than it, so the feasible candidate of least residual is the optimum.
// That is 2^k QR solves for k constrained columns (512 for the time model), no
// iteration and no tolerance.
#pragma once
#include <Eigen/Dense>
#include <vector>

namespace shishu::planner {

struct LsqFit {
  Eigen::VectorXd x;           // coefficients, one per column
  Eigen::VectorXd stderrs;     // standard errors; NaN where unknown (at a bound, or no dof)
  std::vector<bool> at_bound;  // constrained coefficients held at 0
  double rss = 0;              // residual sum of squares
  int dof = 0;                 // rows minus coefficients off their bounds
};

// Minimises ||A x - b||^2 subject to x_j >= 0 where non_negative[j]. A must have full
// column rank (check with unidentifiable_columns first); throws std::invalid_argument
// otherwise. Standard errors come from the residual variance on the active columns.
LsqFit bounded_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, const std::vector<bool>& non_negative);

// Columns whose removal leaves the rank of A unchanged: each is a linear combination of
// the others over these rows, so no fit can tell its coefficient apart. Columns are
// scaled to unit norm first; `tolerance` is QR's relative pivot threshold.
std::vector<int> unidentifiable_columns(const Eigen::MatrixXd& A, double tolerance = 1e-9);

}  // namespace shishu::planner
