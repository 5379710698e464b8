// The run journal: one JSON line per finished point, appended and fsync'd the moment
// the point finishes, so an interrupted sweep loses at most the point in flight.
// --resume reads it back to skip finished points.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "bench/result.h"

namespace shishu::reports {

class Journal {
 public:
  explicit Journal(const std::string& path);  // appends; creates the file if needed
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  void append(const bench::PointResult& result);

  // Reads every complete line. A final line cut short by an interruption is dropped
  // with a warning; a malformed line elsewhere throws std::invalid_argument.
  static std::vector<bench::PointResult> read(const std::string& path, std::vector<std::string>* warnings);

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace shishu::reports
