// Where a command writes, checked before it does any work: a typo in --out must cost a
// second and exit 2, not a built model or a finished comparison and exit 1. One home
// for the rule, used by every command's output flags as a CLI11 validator, so the check
// runs while the command line is parsed.
#pragma once
#include <CLI/CLI.hpp>

#include <string>

namespace shishu::cli {

// Why `path` cannot be written as a whole file replaced atomically (a temporary file in
// its folder, renamed over it): its folder is missing or unwritable, or it is a folder.
// "" when it can. Empty and "-" mean standard output and always can.
std::string why_not_writable_file(const std::string& path);

// The same for a file appended to (compare --summary): an existing file must itself be
// writable.
std::string why_not_appendable_file(const std::string& path);

// Why `dir` cannot be (created and) written as an output folder: it is a file, or its
// nearest existing ancestor is not a writable folder. Creates nothing.
std::string why_not_writable_folder(const std::string& dir);

// The three rules as validators: CLI11 prints "--flag: <reason>" and the command exits 2.
CLI::Validator writable_file();
CLI::Validator appendable_file();
CLI::Validator writable_folder();

}  // namespace shishu::cli
