// The text "i/N" that names shard i of N (`run --shard`, a report's context.shard) and
// the decimal numbers it and the schedulers' variables are made of. Read exactly: std::stoi
// stops at the first character it cannot use, so "1/2/3", " 1/2" and "1.5/2" all read as
// 1/2 and a typo ran another shard than the one asked for. Both the run and merge read
// shard text, so the rule lives here, once.
#pragma once
#include <optional>
#include <string_view>
#include <utility>

namespace shishu::base {

// A decimal integer of digits only (no sign, space, fraction or exponent), at most 9 of
// them so that it always fits an int; nullopt otherwise.
inline std::optional<int> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// "i/N" as {i, N}: two decimals around one slash, nothing else. The range (0 <= i < N)
// is the caller's to check, so that its message can say where the text came from.
inline std::optional<std::pair<int, int>> parse_shard_text(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto index = parse_decimal(text.substr(0, slash)), count = parse_decimal(text.substr(slash + 1));
  if (!index || !count) return std::nullopt;
  return std::pair{*index, *count};
}

}  // namespace shishu::base
