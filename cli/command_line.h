// What both executables share about their command lines: exit statuses and how a
// parse failure maps to them.
#pragma once
#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>
#include <string>

#include "reports/report_json.h"

namespace shishu::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;    // a point errored (run), a regression (compare)
inline constexpr int kExitBadInput = 2;  // refused before anything ran

// Parses argv into `app`. Returns an exit status to stop with (--help: 0; a bad or
// missing flag: CLI11's message, then 2), or nullopt to go on.
inline std::optional<int> parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  return std::nullopt;
}

// Writes a command's output to `path` atomically, or to standard output when the path
// is empty or "-".
inline void write_or_print(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
  } else {
    reports::write_file_atomic(path, text);
  }
}

}  // namespace shishu::cli
