#include "reports/journal.h"

#include "base/json_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/utf8.h"
#include "reports/report_json.h"

namespace shishu::reports {
namespace {

std::string reason() { return std::strerror(errno); }

}  // namespace

Journal::Journal(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open the journal " + path + ": " + reason());
  // A line cut short by an interruption (read() dropped it) is cut off here, so the next
  // line starts on a line of its own instead of continuing the broken one.
  // The last byte settles the usual case (a whole last line) without reading the journal.
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || st.st_size == 0) return;
  char last = 0;
  if (::pread(fd_, &last, 1, st.st_size - 1) != 1 || last == '\n') return;
  std::string text(static_cast<size_t>(st.st_size), '\0');
  if (::pread(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) return;
  const size_t newline = text.find_last_of('\n');
  const size_t keep = newline == std::string::npos ? 0 : newline + 1;
  if (::ftruncate(fd_, static_cast<off_t>(keep)) != 0) {
    throw std::runtime_error("cannot cut the incomplete last line of " + path + ": " + reason());
  }
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const bench::PointResult& result) {
  const std::string line = base::json_text(point_to_json(result)) + "\n";
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw WriteError("cannot stat the journal " + path_ + ": " + reason());
  // The line is written whole (a short write is continued, which finds the real error,
  // e.g. ENOSPC), then fsync'd. If that fails (a full disk), the partial line is cut off
  // again, so the journal stays whole lines and --resume reruns only this point. The run
  // folder's lock makes this the only writer.
  size_t written = 0;
  bool ok = true;
  while (ok && written < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = ENOSPC;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  if (!ok || ::fsync(fd_) != 0) {
    const std::string why = reason();
    if (::ftruncate(fd_, st.st_size) != 0) {
      // Nothing more to do: read() drops an unterminated last line, and reopening cuts it.
    }
    throw WriteError("cannot write the journal " + path_ + ": " + why);
  }
}

std::vector<bench::PointResult> Journal::read(const std::string& path, std::vector<std::string>* warnings) {
  return parse(base::read_text_file(path), path, warnings);
}

std::vector<bench::PointResult> Journal::parse(const std::string& text, const std::string& path,
                                               std::vector<std::string>* warnings) {
  std::vector<bench::PointResult> results;
  size_t begin = 0;
  for (int number = 1; begin < text.size(); ++number) {
    const size_t end = text.find('\n', begin);
    if (end == std::string::npos) {
      // Every line is written whole with its newline, so only an interrupted write leaves
      // an unterminated last line: that point was not finished, and runs again.
      if (warnings) warnings->push_back(path + ": dropped an incomplete last line (interrupted write)");
      break;
    }
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    if (line.empty()) continue;
    const std::string place = path + " line " + std::to_string(number);
    const nlohmann::json entry = base::parse_json(line, place);
    try {
      results.push_back(point_from_json(entry, "entry"));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(place + ": " + e.what());
    }
  }
  return results;
}

}  // namespace shishu::reports
