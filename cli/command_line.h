// What both executables share about their command lines: exit statuses and how a
// parse failure maps to them.
#pragma once
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "reports/report_json.h"

namespace shishu::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;    // a point errored (run), a regression (compare)
inline constexpr int kExitBadInput = 2;  // refused before anything ran
inline constexpr int kExitIncomplete = 3;  // merge: points or shards missing (the merged report is written)

// Every floating-point option of `app` and of its subcommands refuses a value that is
// not a finite number, naming it. CLI11 converts "nan", "inf" and "1e999" like any other
// number, and its Range check lets NaN through, since every comparison with NaN is false.
inline void require_finite_numbers(CLI::App& app) {
  const CLI::Validator finite(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(v)) return "'" + text + "' is not a finite number";
        return "";
      },
      "", "finite");
  for (CLI::Option* option : app.get_options()) {
    if (option->get_type_name().rfind("FLOAT", 0) == 0) option->check(finite);  // "FLOAT" or "FLOAT:<validators>"
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) require_finite_numbers(*sub);
}

// Parses argv into `app`. Returns an exit status to stop with (--help: 0; a bad or
// missing flag: CLI11's message, then 2), or nullopt to go on.
inline std::optional<int> parse_or_exit(CLI::App& app, int argc, char** argv) {
  require_finite_numbers(app);
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
