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
  std::string message;  // error text or skip reason: valid UTF-8, one line (set_message)
  std::map<std::string, std::vector<double>> samples;  // sampled metric -> raw values
  std::map<std::string, double> values;                // scalar metric -> value
  double elapsed_s = 0;                                // wall time spent on the point, warm-up included
  std::optional<profiles::ProfileSummary> profile;     // from one extra, untimed pass (--profile)
  std::string memory_snapshot_file;                    // --memory-snapshot: the pickle, relative to the run folder
  EnvironmentRecord environment;                       // the machine's state around the point

  void add_sample(const std::string& key, double v);  // checks the key against the field table
  void set_value(const std::string& key, double v);   // likewise
  // The failure or skip text, from anywhere (an exception's what(), a path): its first
  // line (LibTorch appends a C++ backtrace), made valid UTF-8 (base/utf8.h).
  void set_message(const std::string& text);
};

}  // namespace shishu::bench
