#include "reports/point_flags.h"


#include "bench/metrics.h"

namespace shishu::reports {
namespace {

struct FlagRow {
  std::string mark;
  std::string caption;
};

// One row per mark; point_flags decides which apply.
const std::vector<FlagRow>& flag_rows() {
  static const std::vector<FlagRow> kRows = {
      {"(!)", "measured while throttled or under foreign load, at a low clock, or unsettled (sampling stopped "
              "above its noise target); the point's environment flags say which"},
      {"(L)", "launch-bound: the host spent at least " + std::to_string(int(bench::kLaunchBoundPct)) +
                  "% of the interval issuing the work, so the figure measures the host's overhead more than the GPU"},
      {"(C)", "cold: the last-level cache was overwritten before each sample (--l2-flush), so the figure is not "
              "comparable with warm ones"},
      {"(I)", "TESTING ONLY: every interval was lengthened by an injected wait (--inject-slowdown); not a real "
              "measurement"},
  };
  return kRows;
}

}  // namespace

std::vector<PointFlag> point_flags(const bench::PointResult& r, const nlohmann::json& context) {
  std::vector<PointFlag> flags;
  // Each environment flag reads "<kind>: <details>": the kind is the summary's word.
  for (const auto& f : r.environment.flags) flags.push_back({"(!)", f.substr(0, f.find(':'))});
  if (auto it = r.values.find("host_share_pct"); it != r.values.end() && it->second >= bench::kLaunchBoundPct) {
    flags.push_back({"(L)", "launch-bound"});
  }
  if (r.values.count("cache_flush_bytes")) flags.push_back({"(C)", "cold"});
  const nlohmann::json settings = context.is_object() ? context.value("settings", nlohmann::json::object())
                                                      : nlohmann::json::object();
  const nlohmann::json slowdown = settings.is_object() ? settings.value("inject_slowdown_pct", nlohmann::json(0))
                                                       : nlohmann::json(0);
  if (slowdown.is_number() && slowdown.get<double>() > 0) flags.push_back({"(I)", "injected"});
  return flags;
}

std::string flag_caption(const std::string& mark) {
  for (const auto& row : flag_rows()) {
    if (mark == row.mark) return row.mark + " " + row.caption;
  }
  return mark;
}

}  // namespace shishu::reports
