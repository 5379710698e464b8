// What one point produced: its status, the raw samples of every sampled metric and
// the scalar figures, all keyed by the field table (bench/metrics.h). Statistics are
// computed from the raw samples when reported, so they can never disagree.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/environment.h"
#include "bench/point.h"
#include "profiles/summary.h"

namespace shishu::bench {

enum class Status { kOk, kOom, kError, kSkipped };
std::string to_string(Status s);  // "ok", "oom", "error", "skipped"
Status parse_status(const std::string& s);

struct PointResult {
  Point point;
  Status status = Status::kOk;
  std::string message;  // error text or skip reason
  std::map<std::string, std::vector<double>> samples;  // sampled metric -> raw values
  std::map<std::string, double> values;                // scalar metric -> value
  double elapsed_s = 0;                                // wall time spent on the point, warm-up included
  std::optional<profiles::ProfileSummary> profile;     // from one extra, untimed pass (--profile)
  EnvironmentRecord environment;                       // the machine's state around the point

  void add_sample(const std::string& key, double v);  // checks the key against the field table
  void set_value(const std::string& key, double v);   // likewise
};

}  // namespace shishu::bench
