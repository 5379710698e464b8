// Drives a sweep through Google Benchmark: one registered benchmark per point, with
// Iterations(1) and Repetitions(N), manual (device-accurate) time, so Google
// Benchmark owns repetitions, filtering (--benchmark_filter), its console/JSON output
// (--benchmark_format, --benchmark_out) and its own context. Our reporter wraps the
// default display reporter and finalises each point when Google Benchmark reports its
// runs: that is where memory and derived figures are taken and the point is handed
// on (journal, progress) before the next point starts.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "bench/point_runner.h"
#include "bench/result.h"

namespace shishu::bench {

using PointDone = std::function<void(const PointResult&)>;

// Runs `points` (already filtered of finished and skipped ones). Calls `done` once per
// point that Google Benchmark ran, in order. Returns the results it produced.
std::vector<PointResult> run_with_google_benchmark(const std::vector<Point>& points, const SweepSettings& settings,
                                                   PointRunner& runner, const PointDone& done);

// The linked Google Benchmark library's build type, "debug" or "release", as the library
// itself reports it (in its JSON context). Debian's package is built without NDEBUG, so it
// says "debug" and prints "Library was built as DEBUG" at every run.
std::string google_benchmark_build_type();

// Why that warning changes none of our figures, printed right under it and recorded in
// the report's context.
extern const char* const kGoogleBenchmarkDebugNote;

}  // namespace shishu::bench
