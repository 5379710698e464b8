// The one reader of outside JSON: reports, journals, run folders, presets, checkpoints'
// config.json and safetensors headers. The parsing is nlohmann's; the messages are ours,
// naming the file, the place (line and column, and the field where one is open) and the
// reason, never the library's own text, which names neither the file nor the field.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace shishu::base {

// `text` as JSON. Throws std::invalid_argument, e.g.
//   "r.json: not JSON at line 3, column 7 (in points[0].axes), near 'x'"
//   "r.json: points[0].metrics.latency_ms.samples[1]: the number 1e400 is out of range"
//   "r.json: cut short at line 9, column 1 (in points[2])"
// `origin` names the text: a path, or "r.json line 4" for one line of a journal.
nlohmann::json parse_json(std::string_view text, const std::string& origin);

// The whole file as text; a directory, a file that cannot be read and an empty file are
// each refused by name (std::invalid_argument).
std::string read_text_file(const std::string& path);

// read_text_file, then parse_json.
nlohmann::json read_json_file(const std::string& path);

}  // namespace shishu::base
