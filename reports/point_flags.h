// The flags that change what a point's figures mean, in one place, so that the run's
// summary and every table show the same ones: the machine was not quiet, or the
// sampling did not settle (the point's environment flags); the GPU waited on the host
// (launch-bound); the caches were cold (--l2-flush); a slowdown was injected (testing).
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "bench/result.h"

namespace shishu::reports {

struct PointFlag {
  std::string mark;   // what a table cell carries, e.g. "(!)"
  std::string label;  // the summary's word, e.g. "unsettled"
};

// The point's flags, `context` the report's (its settings say cold and injected).
std::vector<PointFlag> point_flags(const bench::PointResult& r, const nlohmann::json& context);

// The caption sentence for a table mark, e.g. "(L) launch-bound: ...".
std::string flag_caption(const std::string& mark);

}  // namespace shishu::reports
