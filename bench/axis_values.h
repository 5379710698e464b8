// Axis values as users write them, llama-bench style: every numeric axis takes a list
// of items, each a number or a range.
//   "1,2,4"        -> 1 2 4
//   "64-4096*2"    -> 64 128 ... 4096     (geometric: first-last*factor)
//   "1-8+3"        -> 1 4 7               (arithmetic: first-last+step)
//   "2-5"          -> 2 3 4 5             (step 1)
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shishu::bench {

// Parses a list of positive integers; throws std::invalid_argument naming the axis and
// the offending item (e.g. "--seq: '64-32*2' ends before it starts").
std::vector<int64_t> parse_int_list(std::string_view axis, std::string_view text);

// Splits "a,b,c" into trimmed, non-empty items; throws on an empty item.
std::vector<std::string> parse_string_list(std::string_view axis, std::string_view text);

}  // namespace shishu::bench
