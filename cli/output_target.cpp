#include "cli/output_target.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace shishu::cli {
namespace {

bool stdout_name(const std::string& path) { return path.empty() || path == "-"; }

// "" when `dir` is an existing folder this process may create entries in.
std::string why_not_writable_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return "the folder '" + dir.string() + "' does not exist";
  if (!fs::is_directory(dir, ec)) return "'" + dir.string() + "' is not a folder";
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return "cannot write in '" + dir.string() + "': " + std::strerror(errno);
  return "";
}

fs::path folder_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

CLI::Validator validator(std::string (*rule)(const std::string&), const char* name) {
  return CLI::Validator([rule](std::string& value) { return rule(value); }, "PATH", name);
}

}  // namespace

std::string why_not_writable_file(const std::string& path) {
  if (stdout_name(path)) return "";
  std::error_code ec;
  if (fs::is_directory(path, ec)) return "'" + path + "' is a folder; name a file";
  return why_not_writable_dir(folder_of(path));
}

std::string why_not_appendable_file(const std::string& path) {
  if (stdout_name(path)) return "";
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_directory(path, ec)) {
    return ::access(path.c_str(), W_OK) == 0 ? "" : "cannot write '" + path + "': " + std::strerror(errno);
  }
  return why_not_writable_file(path);
}

std::string why_not_writable_folder(const std::string& dir) {
  if (dir.empty()) return "no folder named";
  std::error_code ec;
  fs::path existing = fs::absolute(dir, ec);
  if (fs::exists(existing, ec) && !fs::is_directory(existing, ec)) return "'" + dir + "' is a file, not a folder";
  // The nearest ancestor that exists is where create_directories will start.
  while (!fs::exists(existing, ec) && existing.has_parent_path() && existing != existing.parent_path()) {
    existing = existing.parent_path();
  }
  return why_not_writable_dir(existing);
}

CLI::Validator writable_file() { return validator(why_not_writable_file, "WRITABLE_FILE"); }
CLI::Validator appendable_file() { return validator(why_not_appendable_file, "APPENDABLE_FILE"); }
CLI::Validator writable_folder() { return validator(why_not_writable_folder, "WRITABLE_FOLDER"); }

}  // namespace shishu::cli
