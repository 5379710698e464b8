// The cost model as a JSON file, with the device context it was measured on and the
// calibrated range of every axis:
//
//   {"format": "shishu-planner-cost-model", "version": 1,
//    "provenance": {"device": .., "dtype": .., "build_commit": .., "bytes_per_element": 4,
//                   "context": {<the caller's object, carried as it is>}},
//    "widths": {"name": "125m", "d_model": 576, "n_heads": 9, ...},
//    "calibration_layouts": ["2", "2+2*2", ...],
//    "quantities": {"decode_ms": {"points": 48, "rms_relative_residual": 0.021,
//        "coefficients": {"attention.per_call": {"value": 0.41, "stderr": 0.01,
//                         "at_bound": false, "unit": "ms per layer per call"}, ...},
//        "ranges": {"batch": [1, 4], "depth": [32, 143], ...},
//        "baselines": {"params": 1.2e-7, "flops": 3.1e-9}}, ...}}
//
// Reading checks everything (parse at the edge): a missing, extra or mistyped field
// throws std::invalid_argument naming the file and the place.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "planner/cost_model.h"

namespace shishu::planner {

inline constexpr std::string_view kModelFormat = "shishu-planner-cost-model";
inline constexpr int kModelVersion = 1;

nlohmann::json to_json(const CostModel& model);
// The "provenance" object of the file, for other documents that name a model's origin.
nlohmann::json provenance_json(const Provenance& p);
// `origin` (a file name) starts every message.
CostModel from_json(const nlohmann::json& doc, std::string_view origin);

// The first provenance field (device, dtype, build_commit, bytes_per_element, in that
// order) in which `a` and `b` differ, with both values; nullopt when they agree.
struct ProvenanceDifference {
  std::string field, a, b;
};
std::optional<ProvenanceDifference> provenance_difference(const Provenance& a, const Provenance& b);

// Throws std::invalid_argument naming the first provenance field (device, dtype,
// build_commit, bytes_per_element) in which the model differs from `here`.
void check_provenance(const CostModel& model, const Provenance& here, std::string_view origin);

// Written to PATH.tmp and renamed, so PATH is either whole or untouched; throws
// std::runtime_error naming the path when it cannot be written.
void save_model(const CostModel& model, const std::string& path);
// Reads and validates a model file: std::invalid_argument naming the file and the place.
CostModel read_model(const std::string& path);
// read_model, and refuses a model from another device or build (check_provenance).
CostModel load_model(const std::string& path, const Provenance& here);

}  // namespace shishu::planner
