#include "reports/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "reports/report_json.h"

namespace shishu::reports {

Journal::Journal(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open journal " + path);
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const bench::PointResult& result) {
  const std::string line = point_to_json(result).dump() + "\n";
  // One write per line on an O_APPEND descriptor: a crash leaves whole lines plus at
  // most one partial last line, which read() tolerates.
  if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    throw std::runtime_error("journal write failed: " + path_);
  }
  ::fsync(fd_);
}

std::vector<bench::PointResult> Journal::read(const std::string& path, std::vector<std::string>* warnings) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("no journal at " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  std::vector<bench::PointResult> results;
  for (size_t i = 0; i < lines.size(); ++i) {
    try {
      results.push_back(point_from_json(nlohmann::json::parse(lines[i])));
    } catch (const std::exception& e) {
      if (i + 1 == lines.size()) {
        if (warnings) warnings->push_back(path + ": dropped an incomplete last line (interrupted write)");
        break;
      }
      throw std::invalid_argument(path + " line " + std::to_string(i + 1) + ": " + e.what());
    }
  }
  return results;
}

}  // namespace shishu::reports
