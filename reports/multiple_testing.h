// Correction for the many comparisons of one report pair: Benjamini-Hochberg.
//
// A comparison of two reports asks one question per point and metric, often dozens.
// Benjamini-Hochberg keeps the expected share of false discoveries at alpha; when
// nothing really changed (an A/A run) every discovery is false, so it then also bounds
// the chance of any false alarm at alpha. The selected comparisons get intervals at
// the false-coverage-adjusted level 1 - R*alpha/m (Benjamini & Yekutieli, 2005), where
// R of m were selected.
#pragma once
#include <vector>

namespace shishu::reports {

struct BhSelection {
  std::vector<bool> selected;  // per input p-value
  int count = 0;               // R
  double adjusted_confidence;  // 1 - R*alpha/m for the selected ones' intervals
};

// Throws std::invalid_argument unless 0 < alpha < 1.
BhSelection benjamini_hochberg(const std::vector<double>& p_values, double alpha);

}  // namespace shishu::reports
