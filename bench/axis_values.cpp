#include "bench/axis_values.h"

#include <cctype>
#include <limits>
#include <stdexcept>

namespace shishu::bench {
namespace {

// Generous bound that still stops a typo like 64-4096*1 from expanding forever.
constexpr size_t kMaxItems = 4096;

[[noreturn]] void fail(std::string_view axis, std::string_view item, const std::string& why) {
  throw std::invalid_argument(std::string(axis) + ": '" + std::string(item) + "' " + why);
}

int64_t parse_positive(std::string_view axis, std::string_view item, std::string_view digits) {
  if (digits.empty()) fail(axis, item, "is missing a number");
  int64_t value = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) fail(axis, item, "is not a positive integer or range");
    if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) fail(axis, item, "is too large");
    value = value * 10 + (c - '0');
  }
  if (value <= 0) fail(axis, item, "must be positive");
  return value;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<std::string> parse_string_list(std::string_view axis, std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    std::string_view item = trim(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    if (item.empty()) throw std::invalid_argument(std::string(axis) + ": empty item in '" + std::string(text) + "'");
    items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

std::vector<int64_t> parse_int_list(std::string_view axis, std::string_view text) {
  std::vector<int64_t> values;
  for (const std::string& item_str : parse_string_list(axis, text)) {
    std::string_view item = item_str;
    const size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      values.push_back(parse_positive(axis, item, item));
      continue;
    }
    const int64_t first = parse_positive(axis, item, item.substr(0, dash));
    std::string_view rest = item.substr(dash + 1);
    const size_t op_pos = rest.find_first_of("*+");
    const int64_t last = parse_positive(axis, item, rest.substr(0, op_pos));
    if (last < first) fail(axis, item, "ends before it starts");
    const char op = op_pos == std::string_view::npos ? '+' : rest[op_pos];
    const int64_t step = op_pos == std::string_view::npos ? 1 : parse_positive(axis, item, rest.substr(op_pos + 1));
    if (op == '*' && step < 2) fail(axis, item, "needs a factor of at least 2");
    for (int64_t v = first;; v = (op == '*') ? v * step : v + step) {
      values.push_back(v);
      if (values.size() > kMaxItems) fail(axis, item, "expands to more than 4096 values");
      // Stop before the next value passes `last`, which also keeps it from overflowing
      // (found by fuzzing: 4-1111111111111114096*2228).
      if (op == '*' ? v > last / step : v > last - step) break;
    }
  }
  return values;
}

}  // namespace shishu::bench
