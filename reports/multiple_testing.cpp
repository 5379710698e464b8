#include "reports/multiple_testing.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace shishu::reports {

BhSelection benjamini_hochberg(const std::vector<double>& p, double alpha) {
  if (!(alpha > 0 && alpha < 1)) throw std::invalid_argument("alpha must lie in (0, 1)");
  const size_t m = p.size();
  BhSelection s;
  s.selected.assign(m, false);
  s.adjusted_confidence = 1 - alpha / std::max<size_t>(m, 1);
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  // The largest k with p_(k) <= k * alpha / m; the k smallest are selected.
  size_t k = 0;
  for (size_t i = 0; i < m; ++i) {
    if (p[order[i]] <= double(i + 1) * alpha / double(m)) k = i + 1;
  }
  for (size_t i = 0; i < k; ++i) s.selected[order[i]] = true;
  s.count = static_cast<int>(k);
  if (k > 0) s.adjusted_confidence = 1 - double(k) * alpha / double(m);
  return s;
}

}  // namespace shishu::reports
