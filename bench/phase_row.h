// A phase (forward, forward+backward, generation, ...) in one row: its name and other
// spellings, the shape axes it takes, its traits, and the hooks that run it on LibTorch
// (bench/phase.h). Each phase is one file under bench/phases/ that registers its row; the
// sweep, the point id, the JSON report, the summary and the tables read the row's
// declaration, and PointRunner its hooks.
//
// The torch-free programs (shishu-report, the fuzz targets, the torch-free tests) never
// link the phase files: they register the rows' declarations, without hooks, from
// bench/phases.json, the JSON shishu-bench writes of its registry (`shishu-bench phases
// --json`), compiled in. A test keeps that file equal to the registry.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/axes.h"

namespace shishu::bench {

struct PhaseHooks;  // bench/phase.h: what a phase does on LibTorch

// One shape axis of a phase, with the least value the phase can measure.
struct AxisUse {
  AxisUse(Axis a, int64_t least = 1, std::string why = "", int64_t fallback = -1, std::optional<Axis> bound = {})
      : axis(a), min(least), why_min(std::move(why)), default_value(fallback), at_most(bound) {}
  Axis axis;
  int64_t min = 1;
  std::string why_min;  // why a value below `min` cannot be measured
  // An axis a grid may leave out: it then takes this value, and a point at it lists the
  // axis neither in its id nor in its report, as before the axis existed. -1: required.
  int64_t default_value = -1;
  // The axis no value may exceed (a chunk of the prompt, at most the prompt); none if unset.
  std::optional<Axis> at_most;
};

struct PhaseRow {
  std::string name;
  std::vector<std::string> aliases;
  std::string description;
  std::vector<AxisUse> shape;    // batch first
  // The axes whose values add up to the positions a sequence reaches (at most kMaxPositions).
  std::vector<Axis> positions;
  bool takes_backend = false;    // crossed with the decode backend (mode) axis; eager otherwise
  bool cold_cache = false;       // --l2-flush overwrites the last-level cache before each sample
  bool mixed_precision = false;  // amp_bf16 applies (the training phases; generation runs in bf16)
  bool changes_weights = false;  // a repetition updates the weights: the next point rebuilds them
  const PhaseHooks* hooks = nullptr;  // null where only the declaration is known

  bool takes(Axis a) const;
};

// Adds a row; throws std::logic_error when its name or an alias is taken, or its shape
// does not start with batch. Returns true, for a file-scope registration.
bool register_phase(PhaseRow row);
// By name or alias; throws std::invalid_argument naming the value and the phases.
const PhaseRow& phase_row(std::string_view name);
const PhaseRow* find_phase(std::string_view name);
// Every row, by name.
std::vector<const PhaseRow*> phase_rows();
std::string phase_names();  // "forward, forward_backward, ..."

// The declarations (no hooks), and back: registers every row of `rows` not yet known.
nlohmann::json phase_rows_json();
void register_phase_declarations(const nlohmann::json& rows);
// bench/phases.json's declarations: what a torch-free program calls first.
void register_builtin_phase_declarations();

}  // namespace shishu::bench
