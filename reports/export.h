// Reports for existing dashboards, rather than a dashboard of our own:
//  - Bencher Metric Format (bencher.dev): {benchmark: {measure: {value, lower_value,
//    upper_value}}}; the benchmark is the point id, the measure the metric key (Bencher
//    creates measures it does not know), value the median, lower and upper the smallest
//    and largest replicate;
//  - github-action-benchmark's custom tools: arrays of {name, unit, value, range, extra},
//    one for customSmallerIsBetter and one for customBiggerIsBetter, since the action
//    takes one direction per file.
// Every metric with a direction is exported; neutral ones (FLOP counts, predictions) are not.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "reports/loaded_report.h"

namespace shishu::reports {

enum class ExportFormat { kBencher, kGithubActionBenchmark };
// Throws std::invalid_argument naming the format and the ones there are.
ExportFormat parse_export_format(const std::string& name);

nlohmann::json bencher_metric_format(const LoadedReport& r);
// {"customSmallerIsBetter": [...], "customBiggerIsBetter": [...]}
nlohmann::json github_action_benchmark(const LoadedReport& r);

}  // namespace shishu::reports
