// Two-sided Mann-Whitney U test (Wilcoxon rank-sum) for two independent samples of
// repetition timings. Rank-based, so one outlier repetition cannot swing it the way it
// swings a t-test, and it assumes no distribution shape.
#pragma once
#include <vector>

namespace shishu::reports {

struct MannWhitney {
  double u = 0;                // U of the first sample
  double p_two_sided = 1;      // probability of a U at least this extreme under "no difference"
  bool exact = false;          // exact null distribution (no ties, n1*n2 <= 2500), else normal approximation
  double min_attainable_p = 1; // smallest p these sample sizes can give: if >= alpha, the test cannot decide
};

// Throws std::invalid_argument on an empty sample.
MannWhitney mann_whitney(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace shishu::reports
