// The fuzz targets are built without LibTorch and link no phase file, so they register
// the phases' declarations that shishu-report registers (bench/phases.json).
#include "bench/phase_row.h"

namespace {

[[maybe_unused]] const bool kRegistered = [] {
  shishu::bench::register_builtin_phase_declarations();
  return true;
}();

}  // namespace
