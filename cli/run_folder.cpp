#include "cli/run_folder.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <stdexcept>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/json_reader.h"
#include "base/utf8.h"
#include "reports/build_info.h"
#include "reports/journal.h"
#include "reports/report_json.h"

namespace fs = std::filesystem;

namespace shishu::cli {

std::string utc_now(const char* format) {
  const std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, format, std::gmtime(&t));
  return buf;
}

nlohmann::json sampling_json(const bench::SweepSettings& settings) {
  if (!settings.noise) return {{"rule", "fixed"}, {"repetitions", settings.repetitions}};
  const bench::NoiseRule& n = *settings.noise;
  return {{"rule", "noise"}, {"max_noise_pct", n.max_noise_pct}, {"min_samples", n.min_samples},
          {"min_time_s", n.min_time_s}, {"timeout_s", n.timeout_s}, {"description", n.describe()}};
}

std::string cache_label(const bench::SweepSettings& settings) {
  return settings.l2_flush ? "cold: last-level cache overwritten before each forward and training sample" : "warm";
}

nlohmann::json run_identity(const bench::Sweep& sweep, const std::vector<bench::Point>& points, double slowdown_pct,
                            const std::string& weights_file) {
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& p : points) ids.push_back(p.id());
  const auto& build = reports::build_info();
  // Valid UTF-8 (the preset and weights are paths from outside), so that what --resume
  // reads back from run.json compares equal to what a new invocation builds.
  return base::valid_utf8_tree(nlohmann::json{{"preset", sweep.name},
          {"settings", {{"warmup", sweep.settings.warmup}, {"repetitions", sweep.settings.repetitions},
                        {"seed", sweep.settings.seed}, {"inject_slowdown_pct", slowdown_pct},
                        {"sampling", sampling_json(sweep.settings)}, {"cache", cache_label(sweep.settings)},
                        {"weights", weights_file}}},
          {"git_commit", build.git_commit},
          {"build_type", build.build_type},
          {"points", ids}});
}

namespace {

void check_resumable(const std::string& dir, const nlohmann::json& now) {
  if (!fs::exists(dir + "/run.json")) {
    throw std::invalid_argument(dir + " has no run.json: not a run folder this version can resume");
  }
  const nlohmann::json then = base::read_json_file(dir + "/run.json");
  if (!then.is_object()) {
    throw std::invalid_argument(dir + "/run.json: not a JSON object (edited or damaged); it cannot be resumed");
  }
  for (const char* key : {"preset", "settings", "git_commit", "build_type", "points"}) {
    if (then.value(key, nlohmann::json()) != now[key]) {
      throw std::invalid_argument("cannot resume " + dir + ": its '" + key +
                                  "' differs from this invocation's; resume with the same command and binary");
    }
  }
}

// Creates the folder if needed; an unwritable place is bad input (exit 2), named.
void make_folder(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw std::invalid_argument("cannot create the output folder '" + dir + "': " +
                                (ec ? ec.message() : std::string("not a folder")));
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    throw std::invalid_argument("cannot write the output folder '" + dir + "': " + std::strerror(errno));
  }
}

// One writer per run folder: an exclusive flock on DIR/.lock, held until the process
// ends. The kernel drops it when the holder dies, so a killed run leaves no stale lock
// (the file stays; the lock does not). The descriptor is never closed on purpose.
// A folder this process already holds is not locked again: a second flock of it from a
// new descriptor would refuse the process its own folder.
void lock_folder(const std::string& dir) {
  static std::set<std::string> held;
  std::error_code ec;
  const std::string key = fs::weakly_canonical(dir, ec).string();
  if (held.count(key)) return;
  const std::string path = dir + "/.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::invalid_argument("cannot create " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {0};
    const ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    throw std::invalid_argument(dir + " is being written by another run (pid " +
                                std::string(n > 0 ? holder : "unknown") +
                                "); wait for it to finish, or use another --out");
  }
  held.insert(key);
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid is only a courtesy for the message above; the lock itself holds.
  }
}

}  // namespace

// The run folder and the points already finished in it. A fresh run refuses a folder
// that holds a run; --resume refuses one started with another sweep or build; both
// refuse a folder another live run is writing.
std::string open_run_folder(const std::string& out_dir, const std::string& resume_dir, const bench::Sweep& sweep,
                            const nlohmann::json& identity, std::vector<bench::PointResult>* finished) {
  std::string dir = resume_dir.empty() ? out_dir : resume_dir;
  if (dir.empty()) dir = "reports/runs/" + utc_now("%Y%m%dT%H%M%SZ") + "-" + fs::path(sweep.name).stem().string();
  const std::string journal_path = dir + "/journal.jsonl";
  if (!resume_dir.empty()) {
    if (!fs::is_directory(dir)) throw std::invalid_argument("--resume " + dir + ": no such run folder");
    lock_folder(dir);
    check_resumable(dir, identity);
    std::vector<std::string> warnings;
    *finished = reports::Journal::read(journal_path, &warnings);
    for (const auto& w : warnings) std::cerr << "shishu-bench: warning: " << w << "\n";
    return dir;
  }
  make_folder(dir);
  lock_folder(dir);
  if (fs::exists(journal_path)) {
    throw std::invalid_argument(dir + " already holds a run; use --resume " + dir + " to continue it, or another --out");
  }
  reports::write_file_atomic(dir + "/run.json", base::json_text(identity, 2) + "\n");
  return dir;
}

}  // namespace shishu::cli
