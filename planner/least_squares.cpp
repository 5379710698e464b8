#include "planner/least_squares.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace shishu::planner {
namespace {

// Column norms, with 1 for an all-zero column (so scaling leaves it zero).
Eigen::VectorXd column_scales(const Eigen::MatrixXd& A) {
  Eigen::VectorXd s = A.colwise().norm().transpose();
  for (Eigen::Index j = 0; j < s.size(); ++j) {
    if (s(j) == 0) s(j) = 1;
  }
  return s;
}

Eigen::Index rank_of(const Eigen::MatrixXd& A, double tolerance) {
  if (A.cols() == 0) return 0;
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(A);
  qr.setThreshold(tolerance);
  return qr.rank();
}

Eigen::MatrixXd select_columns(const Eigen::MatrixXd& A, const std::vector<Eigen::Index>& cols) {
  Eigen::MatrixXd out(A.rows(), static_cast<Eigen::Index>(cols.size()));
  for (size_t i = 0; i < cols.size(); ++i) out.col(static_cast<Eigen::Index>(i)) = A.col(cols[i]);
  return out;
}

}  // namespace

std::vector<int> unidentifiable_columns(const Eigen::MatrixXd& A, double tolerance) {
  const Eigen::MatrixXd scaled = A * column_scales(A).cwiseInverse().asDiagonal();
  const Eigen::Index full = rank_of(scaled, tolerance);
  std::vector<int> out;
  for (Eigen::Index j = 0; j < A.cols(); ++j) {
    std::vector<Eigen::Index> others;
    for (Eigen::Index k = 0; k < A.cols(); ++k) {
      if (k != j) others.push_back(k);
    }
    if (rank_of(select_columns(scaled, others), tolerance) == full) out.push_back(static_cast<int>(j));
  }
  return out;
}

LsqFit bounded_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b,
                             const std::vector<bool>& non_negative) {
  const Eigen::Index n = A.rows(), p = A.cols();
  if (static_cast<Eigen::Index>(non_negative.size()) != p || b.size() != n) {
    throw std::invalid_argument("bounded_least_squares: A, b and the sign flags disagree in size");
  }
  if (!unidentifiable_columns(A).empty()) {
    throw std::invalid_argument("bounded_least_squares: the columns are linearly dependent");
  }
  std::vector<Eigen::Index> free_cols, bounded;
  for (Eigen::Index j = 0; j < p; ++j) (non_negative[j] ? bounded : free_cols).push_back(j);
  if (bounded.size() > 20) throw std::invalid_argument("bounded_least_squares: more than 20 constrained columns");

  const Eigen::VectorXd scale = column_scales(A);
  const Eigen::MatrixXd scaled = A * scale.cwiseInverse().asDiagonal();
  LsqFit best;
  best.rss = std::numeric_limits<double>::infinity();
  std::vector<Eigen::Index> best_active;
  for (uint32_t mask = 0; mask < (1u << bounded.size()); ++mask) {
    std::vector<Eigen::Index> active = free_cols;
    for (size_t i = 0; i < bounded.size(); ++i) {
      if (mask & (1u << i)) active.push_back(bounded[i]);
    }
    Eigen::VectorXd x = Eigen::VectorXd::Zero(p);
    if (!active.empty()) {
      const Eigen::VectorXd y = select_columns(scaled, active).colPivHouseholderQr().solve(b);
      for (size_t i = 0; i < active.size(); ++i) x(active[i]) = y(static_cast<Eigen::Index>(i)) / scale(active[i]);
    }
    bool feasible = true;
    for (Eigen::Index j : bounded) feasible = feasible && x(j) >= 0;
    const double rss = feasible ? (A * x - b).squaredNorm() : 0;
    if (feasible && rss < best.rss) {
      best.x = x;
      best.rss = rss;
      best_active = active;
    }
  }

  best.at_bound.assign(static_cast<size_t>(p), false);
  for (Eigen::Index j : bounded) best.at_bound[j] = best.x(j) == 0;
  best.dof = static_cast<int>(n - static_cast<Eigen::Index>(best_active.size()));
  best.stderrs = Eigen::VectorXd::Constant(p, std::numeric_limits<double>::quiet_NaN());
  if (best.dof > 0 && !best_active.empty()) {
    // cov(x) = s^2 (A_a^T A_a)^-1 on the active columns, formed on unit-norm columns.
    const Eigen::MatrixXd Aa = select_columns(scaled, best_active);
    const Eigen::MatrixXd normal_inv =
        (Aa.transpose() * Aa).ldlt().solve(Eigen::MatrixXd::Identity(Aa.cols(), Aa.cols()));
    const double s2 = best.rss / best.dof;
    for (size_t i = 0; i < best_active.size(); ++i) {
      const Eigen::Index j = best_active[i];
      best.stderrs(j) =
          std::sqrt(s2 * normal_inv(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i))) / scale(j);
    }
  }
  return best;
}

}  // namespace shishu::planner
