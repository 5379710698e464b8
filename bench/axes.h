// The shape axes of a point, one row each: its name (the preset key and the report's axes
// field), its flag, the letter that marks it in a point's id, and its help. A
// phase declares which of them it takes (bench/phase_row.h); the point id, the JSON
// report, the sweep's crossing, the summary and the tables follow that declaration. A
// new axis is an enumerator and a row here.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace shishu::bench {

// In the order a point's id lists them.
enum class Axis { kBatch, kSeq, kPrefill, kDepth, kGen, kPrefillChunk };

struct AxisRow {
  Axis axis;
  const char* name;
  const char* flag;
  const char* id_letter;
  const char* help;
};

inline constexpr AxisRow kAxisRows[] = {
    {Axis::kBatch, "batch", "--batch", "b", "Batch sizes: list and ranges, e.g. 1-256*2"},
    {Axis::kSeq, "seq", "--seq", "t", "Tokens per sequence of the sequence phases, e.g. 64-4096*2"},
    {Axis::kPrefill, "prefill", "--prefill", "p", "Prompt lengths of generate"},
    {Axis::kDepth, "depth", "--depth", "d",
     "Positions already in the KV cache when decode's timed steps start, e.g. 4096-32768*2"},
    {Axis::kGen, "gen", "--gen", "g", "New tokens of generate (>= 2), decode steps of decode"},
    {Axis::kPrefillChunk, "prefill_chunk", "--prefill-chunk", "c",
     "generate: prefill the prompt in chunks of this many tokens (0, the default: in one piece)"},
};

// Positions beyond this are refused: the rotary table and the cache are sized by them,
// and no model here was trained past a few thousand.
inline constexpr int64_t kMaxPositions = int64_t{1} << 17;

inline const AxisRow& axis_row(Axis a) {
  for (const auto& r : kAxisRows) {
    if (r.axis == a) return r;
  }
  throw std::logic_error("an axis without a row in bench/axes.h");
}

inline const char* axis_name(Axis a) { return axis_row(a).name; }

inline std::optional<Axis> find_axis(std::string_view name) {
  for (const auto& r : kAxisRows) {
    if (name == r.name) return r.axis;
  }
  return std::nullopt;
}

// A point's shape: a value for each axis its phase takes, ordered as the rows.
using Shape = std::map<Axis, int64_t>;

}  // namespace shishu::bench
