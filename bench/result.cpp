#include "bench/result.h"

#include <stdexcept>

#include "base/utf8.h"
#include "bench/metrics.h"

namespace shishu::bench {

std::string to_string(Status s) {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kOom: return "oom";
    case Status::kError: return "error";
    case Status::kSkipped: return "skipped";
  }
  return "error";
}

Status parse_status(const std::string& s) {
  if (s == "ok") return Status::kOk;
  if (s == "oom") return Status::kOom;
  if (s == "error") return Status::kError;
  if (s == "skipped") return Status::kSkipped;
  throw std::invalid_argument("unknown status '" + s + "'");
}

void PointResult::add_sample(const std::string& key, double v) {
  if (metric(key).kind != Kind::kSampled) throw std::logic_error(key + " is not a sampled metric");
  samples[key].push_back(v);
}

void PointResult::set_value(const std::string& key, double v) {
  if (metric(key).kind != Kind::kScalar) throw std::logic_error(key + " is not a scalar metric");
  values[key] = v;
}

void PointResult::set_message(const std::string& text) { message = base::valid_utf8(text.substr(0, text.find('\n'))); }

}  // namespace shishu::bench
