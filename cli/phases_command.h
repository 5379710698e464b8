// `shishu-bench phases`: the phases this build runs, their shape axes and traits, as a
// table or as the JSON their declarations travel in (tests/data/phases.json).
#pragma once

namespace shishu::cli {

int run_phases_command(bool json);

}  // namespace shishu::cli
