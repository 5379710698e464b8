#include "planner/identifiability.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>

#include "planner/least_squares.h"
#include "planner/terms.h"

namespace shishu::planner {
namespace {

bool identifiable(Quantity q, const std::vector<DesignRow>& rows, int column) {
  const auto bad = unidentifiable_columns(design_matrix(q, rows));
  return std::find(bad.begin(), bad.end(), column) == bad.end();
}

std::vector<LayerCounts> distinct_layouts(const std::vector<DesignRow>& rows) {
  std::vector<LayerCounts> out;
  for (const auto& r : rows) {
    const bool seen = std::any_of(out.begin(), out.end(), [&](const LayerCounts& c) {
      return c.attention == r.layers.attention && c.mlp_sets == r.layers.mlp_sets &&
             c.tied_reuses == r.layers.tied_reuses;
    });
    if (!seen) out.push_back(r.layers);
  }
  return out;
}

// Small layouts, fewest layers first: what a user can add to a calibration cheaply.
std::vector<std::string> candidate_layouts() {
  std::vector<std::string> out;
  for (int total = 1; total <= 8; ++total) {
    for (int att = std::min(total, 4); att >= 1; --att) {
      const int mlp = total - att;
      if (mlp == 0) out.push_back(std::to_string(att));
      if (mlp > 0) out.push_back(std::to_string(att) + "+" + std::to_string(mlp));
      if (mlp >= 2 && mlp % 2 == 0) out.push_back(std::to_string(att) + "+" + std::to_string(mlp / 2) + "*2");
    }
  }
  return out;
}

// A calibration layout added at every calibrated workload.
std::optional<std::string> layout_remedy(Quantity q, const std::vector<DesignRow>& rows, int column) {
  std::vector<Workload> workloads;
  for (const auto& r : rows) workloads.push_back(r.workload);
  for (const auto& text : candidate_layouts()) {
    std::vector<DesignRow> more = rows;
    for (const auto& w : workloads) more.push_back({layer_counts(models::parse_layout(text)), w});
    if (identifiable(q, more, column)) return text;
  }
  return std::nullopt;
}

std::string describe_workload(const Workload& w) {
  return "batch " + std::to_string(w.batch) + ", new tokens " + std::to_string(w.new_tokens) + ", depth " +
         std::to_string(w.depth);
}

// The calibration layouts measured at one more workload: the first one's, with one
// axis moved. The analytic peak of a new memory workload is unknown, so memory gets
// no workload remedy.
std::optional<std::string> workload_remedy(Quantity q, const std::vector<DesignRow>& rows, int column) {
  if (info(q).kind == Kind::memory) return std::nullopt;
  const Workload w0 = rows.front().workload;
  Workload batch = w0, tokens = w0, depth = w0;
  batch.batch *= 2;
  tokens.new_tokens *= 2;
  depth.depth = 2 * w0.depth + 64;
  std::vector<Workload> moves = {batch};
  if (info(q).varies_tokens) moves.push_back(tokens);
  if (info(q).varies_depth) moves.push_back(depth);
  for (const auto& w : moves) {
    std::vector<DesignRow> more = rows;
    for (const auto& layers : distinct_layouts(rows)) more.push_back({layers, w});
    if (identifiable(q, more, column)) return "the calibration layouts at " + describe_workload(w) + " too";
  }
  return std::nullopt;
}

std::string reason(const Term& term, const std::vector<DesignRow>& rows, const std::vector<int>& dependent,
                   Quantity q) {
  if (term.axis) {
    const int first = rows.front().layers.*(term.axis->count);
    const bool constant = std::all_of(rows.begin(), rows.end(),
                                      [&](const DesignRow& r) { return r.layers.*(term.axis->count) == first; });
    if (constant) return "every calibration layout has " + std::to_string(first) + " " + std::string(term.axis->name);
  }
  std::string others;
  for (int j : dependent) {
    const auto& t = terms_for(q)[j];
    if (t.key != term.key) others += std::string(others.empty() ? "" : ", ") + std::string(t.label);
  }
  return "over these observations its column is a combination of the columns of " +
         (others.empty() ? std::string("the other terms") : others);
}

}  // namespace

Eigen::MatrixXd design_matrix(Quantity q, const std::vector<DesignRow>& rows) {
  const auto& terms = terms_for(q);
  Eigen::MatrixXd A(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(terms.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < terms.size(); ++j) {
      A(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          terms[j].feature(rows[i].layers, rows[i].workload);
    }
  }
  return A;
}

void require_identifiable(Quantity q, const std::vector<DesignRow>& rows) {
  const std::string name(info(q).name);
  const size_t p = terms_for(q).size();
  if (rows.size() < p) {
    throw std::invalid_argument(name + ": " + std::to_string(rows.size()) + " observations cannot fit its " +
                                std::to_string(p) + " terms; measure at least " + std::to_string(p) +
                                " points (distinct layouts and workloads)");
  }
  const auto bad = unidentifiable_columns(design_matrix(q, rows));
  if (bad.empty()) return;
  const int column = bad.front();
  const Term& term = terms_for(q)[column];
  auto remedy = layout_remedy(q, rows, column);
  if (!remedy) remedy = workload_remedy(q, rows, column);
  throw std::invalid_argument(
      name + ": the " + std::string(term.label) + " is not identifiable: " + reason(term, rows, bad, q) + "; " +
      (remedy ? "add e.g. " + *remedy : std::string("measure more distinct batch, token and depth shapes")));
}

}  // namespace shishu::planner
