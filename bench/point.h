// One point of a sweep: every axis fixed. Plain data, every axis a value parsed where
// its text entered (a preset, a flag, a report); its id names it everywhere (the Google
// Benchmark name, the journal, report matching).
#pragma once
#include <cstdint>
#include <string>

#include "base/device_name.h"
#include "bench/axes.h"
#include "models/decode/backends.h"
#include "models/precision.h"

namespace shishu::bench {

struct Point {
  std::string model;            // registry name or <base>:<layout>
  std::string phase = "forward";  // a phase's name (bench/phase_row.h)
  models::Dtype dtype;            // bf16
  base::DeviceName device;        // cpu
  models::Backend mode;           // the decode backend (the "mode" axis); eager for phases that take none
  Shape shape;                    // the phase's shape axes

  // e.g. "generate/shishulm-125m/bf16/cuda/eager/b1/p2048/g128". Unique per point.
  std::string id() const;
  // The value of a shape axis; throws std::invalid_argument when the point has none.
  int64_t axis(Axis a) const;
  bool has(Axis a) const { return shape.count(a) > 0; }
  // An axis with a default its phase's point may leave out (bench/phase_row.h).
  int64_t axis_or(Axis a, int64_t fallback) const { return has(a) ? shape.at(a) : fallback; }
  int64_t batch() const { return axis(Axis::kBatch); }
  // "b1 p64 g8": the shape in the summary's words.
  std::string shape_text() const;
  bool operator==(const Point& o) const { return id() == o.id(); }
};

}  // namespace shishu::bench
