// What the end-to-end suites share: fresh scratch folders and reading the JSON the
// binaries wrote.
#pragma once
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace shishu::testing {

// An empty path under the temp folder, unique to this test process.
inline std::string fresh_dir(const std::string& suite, const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / (suite + "-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs `exe args` through the shell; returns its exit status, stderr in *err and stdout
// in *out when asked.
inline int run_exe(const std::string& exe, const std::string& args, std::string* err = nullptr,
                   std::string* out = nullptr) {
  const std::string base = std::filesystem::temp_directory_path() / ("shishu-e2e-run-" + std::to_string(::getpid()));
  const int rc = std::system((exe + " " + args + " >" + base + ".out 2>" + base + ".err").c_str());
  if (err) *err = slurp(base + ".err");
  if (out) *out = slurp(base + ".out");
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Starts `exe args...` in the background, its output discarded; returns its pid.
inline pid_t spawn(const std::string& exe, const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv = {const_cast<char*>(exe.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (!::freopen("/dev/null", "w", stdout) || !::freopen("/dev/null", "w", stderr)) ::_exit(126);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

inline nlohmann::json read_json(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(path + " was not written");
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

}  // namespace shishu::testing
