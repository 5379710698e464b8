// Presets: a sweep written as JSON, compiled in from bench/presets/NAME.json or read
// from a file. Each axis is parsed into its value where the text enters.
#pragma once
#include <string>
#include <vector>

#include "bench/sweep.h"

namespace shishu::bench {

// Parses a preset's JSON text; `origin` names it in error messages. Throws
// std::invalid_argument naming the bad key or value.
Sweep parse_sweep(const std::string& json_text, const std::string& origin);

// A preset by name (compiled in from bench/presets/NAME.json) or by file path.
Sweep load_sweep(const std::string& name_or_path);
std::vector<std::string> preset_names();

}  // namespace shishu::bench
