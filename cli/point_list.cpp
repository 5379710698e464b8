#include "cli/point_list.h"

#include <map>
#include <string>

#include "bench/device_info.h"
#include "bench/sweep.h"

namespace shishu::cli {

void print_point_list(const std::vector<bench::Point>& points, std::ostream& out, std::ostream& err) {
  std::map<base::DeviceName, std::string> unavailable;  // device -> why not here; asked once per device
  size_t runnable = 0, skipped = 0;
  std::map<std::string, size_t> not_here;  // reason -> points
  for (const auto& p : points) {
    out << p.id();
    if (const std::string skip = bench::skip_reason(p); !skip.empty()) {
      out << "\t# skip: " << skip;
      ++skipped;
    } else {
      auto it = unavailable.find(p.device);
      if (it == unavailable.end()) it = unavailable.emplace(p.device, bench::device_unavailable_reason(p.device)).first;
      if (!it->second.empty()) {
        out << "\t# not here: " << it->second;
        ++not_here[p.device.str() + ": " + it->second];
      } else {
        ++runnable;
      }
    }
    out << "\n";
  }
  err << points.size() << " points: " << runnable << " can run here, " << skipped << " skipped everywhere";
  for (const auto& [why, count] : not_here) err << ", " << count << " not here (" << why << ")";
  err << "\n";
}

}  // namespace shishu::cli
