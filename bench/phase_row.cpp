#include "bench/phase_row.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <optional>
#include <stdexcept>

namespace shishu::phase_data {
std::optional<std::string_view> find_embedded(std::string_view name);
}  // namespace shishu::phase_data

namespace shishu::bench {
namespace {

// A deque: rows never move, so the references phase_row hands out stay valid as rows
// are added.
std::deque<PhaseRow>& rows() {
  static std::deque<PhaseRow> kRows;
  return kRows;
}

bool spells(const PhaseRow& row, std::string_view name) {
  return row.name == name || std::find(row.aliases.begin(), row.aliases.end(), name) != row.aliases.end();
}

}  // namespace

bool PhaseRow::takes(Axis a) const {
  return std::any_of(shape.begin(), shape.end(), [&](const AxisUse& u) { return u.axis == a; });
}

bool register_phase(PhaseRow row) {
  if (row.shape.empty() || row.shape.front().axis != Axis::kBatch) {
    throw std::logic_error("phase '" + row.name + "' must take batch as its first axis");
  }
  std::vector<std::string> spellings = row.aliases;
  spellings.push_back(row.name);
  for (const auto& spelling : spellings) {
    if (find_phase(spelling)) throw std::logic_error("phase name '" + spelling + "' is registered twice");
  }
  rows().push_back(std::move(row));
  return true;
}

const PhaseRow* find_phase(std::string_view name) {
  for (const auto& row : rows()) {
    if (spells(row, name)) return &row;
  }
  return nullptr;
}

std::vector<const PhaseRow*> phase_rows() {
  std::vector<const PhaseRow*> out;
  for (const auto& row : rows()) out.push_back(&row);
  std::sort(out.begin(), out.end(), [](const PhaseRow* a, const PhaseRow* b) { return a->name < b->name; });
  return out;
}

std::string phase_names() {
  std::string names;
  for (const PhaseRow* row : phase_rows()) names += (names.empty() ? "" : ", ") + row->name;
  return names;
}

const PhaseRow& phase_row(std::string_view name) {
  if (const PhaseRow* row = find_phase(name)) return *row;
  throw std::invalid_argument("unknown phase '" + std::string(name) + "'; use " + phase_names());
}

nlohmann::json phase_rows_json() {
  nlohmann::json out = nlohmann::json::array();
  for (const PhaseRow* row : phase_rows()) {
    nlohmann::json shape = nlohmann::json::array();
    for (const auto& use : row->shape) {
      nlohmann::json u = {{"axis", axis_name(use.axis)}, {"min", use.min}, {"why_min", use.why_min}};
      if (use.default_value >= 0) u["default"] = use.default_value;
      if (use.at_most) u["at_most"] = axis_name(*use.at_most);
      shape.push_back(u);
    }
    nlohmann::json positions = nlohmann::json::array();
    for (Axis a : row->positions) positions.push_back(axis_name(a));
    out.push_back({{"name", row->name},
                   {"aliases", row->aliases},
                   {"description", row->description},
                   {"shape", shape},
                   {"positions", positions},
                   {"takes_backend", row->takes_backend},
                   {"cold_cache", row->cold_cache},
                   {"mixed_precision", row->mixed_precision},
                   {"changes_weights", row->changes_weights}});
  }
  return out;
}

void register_builtin_phase_declarations() {
  register_phase_declarations(nlohmann::json::parse(*phase_data::find_embedded("phases.json")));
}

void register_phase_declarations(const nlohmann::json& declarations) {
  for (const auto& d : declarations) {
    if (find_phase(d.at("name").get<std::string>())) continue;
    PhaseRow row;
    row.name = d.at("name").get<std::string>();
    row.aliases = d.at("aliases").get<std::vector<std::string>>();
    row.description = d.at("description").get<std::string>();
    auto axis = [&](const nlohmann::json& name) {
      const auto a = find_axis(name.get<std::string>());
      if (!a) throw std::invalid_argument("phase '" + row.name + "': unknown axis " + name.dump());
      return *a;
    };
    for (const auto& use : d.at("shape")) {
      AxisUse u{axis(use.at("axis")), use.at("min").get<int64_t>(), use.at("why_min").get<std::string>()};
      u.default_value = use.value("default", int64_t{-1});
      if (use.contains("at_most")) u.at_most = axis(use.at("at_most"));
      row.shape.push_back(u);
    }
    for (const auto& a : d.at("positions")) row.positions.push_back(axis(a));
    row.takes_backend = d.at("takes_backend").get<bool>();
    row.cold_cache = d.at("cold_cache").get<bool>();
    row.mixed_precision = d.at("mixed_precision").get<bool>();
    row.changes_weights = d.at("changes_weights").get<bool>();
    register_phase(std::move(row));
  }
}

}  // namespace shishu::bench
