#include "cli/progress.h"

#include <cstdio>
#include <iostream>
#include <string>

#include "base/utf8.h"
#include "bench/stats.h"
#include "reports/summary.h"

namespace shishu::cli {
namespace {

std::string clock_text(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

}  // namespace

void Progress::point_done(const bench::PointResult& r) {
  ++done_;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = elapsed / double(done_) * double(total_ > done_ ? total_ - done_ : 0);
  std::string figure;
  if (auto it = r.samples.find("latency_ms"); it != r.samples.end()) {
    figure = "median " + reports::format_value("latency_ms", bench::summarize(it->second).median) + ", ";
  }
  std::cerr << "[" << done_ << "/" << total_ << "] " << bench::to_string(r.status) << " " << base::valid_utf8(r.point.id()) << "  "
            << figure << (r.message.empty() ? "" : r.message + ", ") << "elapsed " << clock_text(elapsed) << ", ETA "
            << clock_text(eta) << "\n";
}

}  // namespace shishu::cli
