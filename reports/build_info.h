// What built this binary: stamped at build time (cmake/BuildInfo.cmake).
#pragma once
#include <string>

namespace shishu::reports {

struct BuildInfo {
  std::string git_commit;
  bool git_dirty;  // uncommitted changes to tracked files when built
  std::string build_type;
  std::string compiler;
  std::string version;
};

const BuildInfo& build_info();

}  // namespace shishu::reports
