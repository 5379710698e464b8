#include "bench/point.h"

#include <stdexcept>
#include <vector>

#include "models/decode/backends.h"

namespace shishu::bench {

namespace {

// Every phase once: its name, the other spellings accepted, and its traits.
struct PhaseRow {
  Phase phase;
  const char* name;
  std::vector<const char*> aliases;
  PhaseTraits traits;
};

const std::vector<PhaseRow>& phase_rows() {
  static const std::vector<PhaseRow> kRows = {
      {Phase::kForward, "forward", {"fwd"}, {false, false}},
      {Phase::kForwardBackward, "forward_backward", {"fwd_bwd", "forward+backward"}, {false, true}},
      {Phase::kGenerate, "generate", {"gen"}, {true, false}},
      {Phase::kTrainStep, "train_step", {"train"}, {false, true}},
  };
  return kRows;
}

const PhaseRow& row(Phase p) {
  for (const auto& r : phase_rows()) {
    if (r.phase == p) return r;
  }
  throw std::logic_error("a phase without a row in bench/point.cpp");
}

}  // namespace

std::string to_string(Phase p) { return row(p).name; }

PhaseTraits traits(Phase p) { return row(p).traits; }


Phase parse_phase(const std::string& s) {
  std::string names;
  for (const auto& r : phase_rows()) {
    if (s == r.name) return r.phase;
    for (const char* alias : r.aliases) {
      if (s == alias) return r.phase;
    }
    names += (names.empty() ? "" : ", ") + std::string(r.name);
  }
  throw std::invalid_argument("unknown phase '" + s + "'; use " + names);
}

std::string parse_mode(const std::string& s) { return models::backend_traits(s).name; }

int64_t Point::axis(const std::string& name) const {
  if (name == "batch") return batch;
  if (name == "seq") return seq;
  if (name == "prefill") return prefill;
  if (name == "gen") return gen;
  throw std::invalid_argument("no numeric axis '" + name + "'");
}

std::string Point::id() const {
  std::string s = to_string(phase) + "/" + model + "/" + dtype + "/" + device + "/" + mode + "/b" +
                  std::to_string(batch);
  if (traits(phase).generates) {
    s += "/p" + std::to_string(prefill) + "/g" + std::to_string(gen);
  } else {
    s += "/t" + std::to_string(seq);
  }
  return s;
}

}  // namespace shishu::bench
