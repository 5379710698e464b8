// What the end-to-end suites share: fresh scratch folders and reading the JSON the
// binaries wrote.
#pragma once
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace shishu::testing {

// An empty path under the temp folder, unique to this test process.
inline std::string fresh_dir(const std::string& suite, const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / (suite + "-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

inline nlohmann::json read_json(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(path + " was not written");
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

}  // namespace shishu::testing
