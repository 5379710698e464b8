// The rounds of one side of an interleaved A/B run (scripts/ab.sh): a folder with one
// subfolder per round, each holding that round's report.json, e.g.
//   ab/base/round-01/report.json   ab/new/round-01/report.json
//   ab/base/round-02/report.json   ab/new/round-02/report.json ...
// Rounds pair by subfolder name. Any two binaries can produce such folders with
// `shishu-bench run --reps 1 --out SIDE/round-NN`, alternating the sides.
#pragma once
#include <string>
#include <vector>

#include "reports/loaded_report.h"

namespace shishu::reports {

struct RoundSet {
  std::string path;
  std::vector<std::string> names;     // sorted subfolder names
  std::vector<LoadedReport> reports;  // one per name
};

// Throws std::invalid_argument (exit 2) for a folder without rounds, an unreadable
// round, or rounds of different sweeps (preset, settings or points differ).
RoundSet load_rounds(const std::string& folder);

// Pairs two sides round by round; throws std::invalid_argument if a round is missing on
// one side or the two sides ran different sweeps.
void check_pairable(const RoundSet& base, const RoundSet& current);

bool is_round_folder(const std::string& path);  // a folder (not a report file)

}  // namespace shishu::reports
