// `shishu-bench overhead`: the generation loop's decode step against the bare decode
// forward at the same cache lengths (bench/decode_overhead.h).
#pragma once
#include <CLI/CLI.hpp>

#include "bench/decode_overhead.h"

namespace shishu::cli {

void add_overhead_options(CLI::App& overhead, bench::OverheadOptions& options);
int run_overhead_command(const bench::OverheadOptions& options);

}  // namespace shishu::cli
