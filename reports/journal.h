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

  // Throws WriteError (reports/report_json.h) if the line cannot be written whole and
  // flushed; the journal is left as it was before.
  void append(const bench::PointResult& result);

  // Reads every complete line. A final line cut short by an interruption (no newline)
  // is dropped with a warning; any malformed line throws std::invalid_argument naming
  // the file, the line and the field.
  static std::vector<bench::PointResult> read(const std::string& path, std::vector<std::string>* warnings);
  // The same on the journal's text; `path` only names it in the messages.
  static std::vector<bench::PointResult> parse(const std::string& text, const std::string& path,
                                               std::vector<std::string>* warnings);

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace shishu::reports
