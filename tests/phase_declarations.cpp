// The torch-free test programs link no phase file, so they register the phases'
// declarations that shishu-report registers (bench/phases.json), before any test runs.
#include "bench/phase_row.h"

namespace {

[[maybe_unused]] const bool kRegistered = [] {
  shishu::bench::register_builtin_phase_declarations();
  return true;
}();

}  // namespace
