// One line per finished point on stderr: index/total, status, the point, its median
// latency, elapsed time and an ETA from the mean time per point so far.
#pragma once
#include <chrono>
#include <cstddef>

#include "bench/result.h"

namespace shishu::cli {

class Progress {
 public:
  explicit Progress(size_t total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  void point_done(const bench::PointResult& r);

 private:
  size_t total_, done_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace shishu::cli
