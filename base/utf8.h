// Outside text made valid UTF-8 on the way in. Exception messages, paths, command lines,
// preset names, device and environment strings can hold any bytes; a JSON writer throws
// on an invalid one, and a throw at the journal or the report loses the whole run. Every
// such text passes through valid_utf8 where it enters a result, a context or a message.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace shishu::base {

// `text` with every invalid UTF-8 sequence (a stray byte, a cut-short multibyte sequence,
// an overlong form, a surrogate) replaced by U+FFFD; valid text comes back unchanged.
// No second decoder is written here: nlohmann's serializer already validates UTF-8
// (RFC 3629) and substitutes U+FFFD under error_handler_t::replace, so a round trip
// through it is the library's rule, exactly.
inline std::string valid_utf8(std::string_view text) {
  const nlohmann::json as_json = std::string(text);
  const std::string quoted = as_json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

// A JSON tree with every string, keys included, made valid as valid_utf8 does (the same
// round trip), so it can be written, read back and compared with what was written.
inline nlohmann::json valid_utf8_tree(const nlohmann::json& doc) {
  return nlohmann::json::parse(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Serialisation of a document this project writes (reports, journals, run folders, command
// outputs). `replace`, not the default `strict`: a string that somehow kept an invalid
// byte costs that byte, never the whole file.
inline std::string json_text(const nlohmann::json& doc, int indent = -1) {
  return doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace shishu::base
