// What a parser says of bad input is in our words: a refusal or an output that carries a
// library's own exception text ("[json.exception.parse_error.101] ...") names neither the
// file nor the field, so it is a finding, and the fuzzer stops on it. Unless the input
// holds that text itself: a message may quote what it refuses.
#pragma once
#include <cstdlib>
#include <string_view>

namespace shishu::fuzz {

inline void require_our_words(std::string_view text, std::string_view input) {
  constexpr std::string_view kLibrary = "[json.exception.";
  if (text.find(kLibrary) != std::string_view::npos && input.find(kLibrary) == std::string_view::npos) std::abort();
}

}  // namespace shishu::fuzz
