// The JSON report schema: point entries round-trip, statistics come from the raw
// samples, readers refuse malformed or foreign files, the journal survives a torn
// last line.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bench/metrics.h"
#include "reports/journal.h"
#include "reports/report_json.h"
#include "synthetic_report.h"

using namespace shishu;
namespace fs = std::filesystem;

namespace {

bench::PointResult sample_result() {
  bench::PointResult r;
  r.point = shishu::testing::make_point("generate", "shishulm-125m",
                                        {{bench::Axis::kBatch, 2}, {bench::Axis::kPrefill, 64}, {bench::Axis::kGen, 16}});
  for (double v : {10.0, 12.0, 11.0}) r.add_sample("latency_ms", v);
  r.add_sample("ttft_ms", 2.0);
  r.set_value("cuda_peak_allocated_bytes", 123456789);
  r.elapsed_s = 1.5;
  return r;
}

std::string temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("shishu-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

}  // namespace

TEST(Report, PointEntryHasAxesStatusAndStatistics) {
  const auto j = reports::point_to_json(sample_result());
  EXPECT_EQ(j["id"], "generate/shishulm-125m/bf16/cuda/eager/b2/p64/g16");
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["axes"]["prefill"], 64);
  EXPECT_FALSE(j["axes"].contains("seq"));
  const auto& lat = j["metrics"]["latency_ms"];
  EXPECT_EQ(lat["samples"], nlohmann::json::array({10.0, 12.0, 11.0}));
  EXPECT_DOUBLE_EQ(lat["median"].get<double>(), 11.0);
  EXPECT_DOUBLE_EQ(lat["mean"].get<double>(), 11.0);
  EXPECT_DOUBLE_EQ(lat["stddev"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(lat["min"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(lat["max"].get<double>(), 12.0);
  EXPECT_DOUBLE_EQ(lat["p90"].get<double>(), 11.8);
  EXPECT_EQ(j["metrics"]["cuda_peak_allocated_bytes"], 123456789.0);
}

TEST(Report, PointEntriesRoundTrip) {
  const auto original = sample_result();
  const auto back = reports::point_from_json(reports::point_to_json(original));
  EXPECT_EQ(back.point.id(), original.point.id());
  EXPECT_EQ(back.samples, original.samples);
  EXPECT_EQ(back.values, original.values);
  EXPECT_EQ(back.status, original.status);
  bench::PointResult failed = original;
  failed.status = bench::Status::kOom;
  failed.message = "CUDA out of memory";
  const auto j = reports::point_to_json(failed);
  EXPECT_EQ(j["status"], "oom");
  EXPECT_EQ(reports::point_from_json(j).message, "CUDA out of memory");
}

TEST(Report, UnknownMetricsAndBrokenEntriesAreRejected) {
  auto j = reports::point_to_json(sample_result());
  j["metrics"]["latency_typo"] = 1.0;
  EXPECT_THROW(reports::point_from_json(j), std::invalid_argument);
  j = reports::point_to_json(sample_result());
  j["axes"].erase("model");
  EXPECT_THROW(reports::point_from_json(j), std::invalid_argument);
  j = reports::point_to_json(sample_result());
  j["id"] = "forward/other";
  EXPECT_THROW(reports::point_from_json(j), std::invalid_argument);
  EXPECT_THROW(bench::PointResult().add_sample("cuda_peak_allocated_bytes", 1), std::logic_error);
}

TEST(Report, EveryMetricDeclaresUnitAndDirection) {
  const auto table = reports::metrics_table_json();
  EXPECT_EQ(table.size(), bench::metrics().size());
  for (const auto& [key, m] : table.items()) {
    EXPECT_FALSE(m["unit"].get<std::string>().empty()) << key;
    EXPECT_TRUE(m["direction"] == "lower_is_better" || m["direction"] == "higher_is_better" ||
                m["direction"] == "neutral")
        << key;
  }
  EXPECT_THROW(bench::metric("no_such_metric"), std::out_of_range);
}

TEST(Report, ReaderRefusesMalformedAndForeignFiles) {
  const std::string dir = temp_dir("read");
  auto expect_refused = [&](const std::string& text, const std::string& reason) {
    const std::string path = dir + "/r.json";
    write(path, text);
    try {
      reports::read_report(path);
      ADD_FAILURE() << "accepted " << text;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      // Our words, never the library's: its text names neither the file nor the field.
      EXPECT_EQ(std::string(e.what()).find("json.exception"), std::string::npos) << e.what();
    }
  };
  expect_refused("{not json", "not JSON at line 1, column 3, at 'ot json'");
  expect_refused("", "empty, not JSON");
  expect_refused("\n\n", "empty, not JSON");
  expect_refused("{\"schema\": \"shishu-bench/report\",\n \"points\": [", "cut short at line 2");
  expect_refused("{\"a\": \"\xFF\"}", "not valid UTF-8 text, at line 1");
  expect_refused(R"({"schema": "shishu-bench/report", "points": [{"metrics": {"latency_ms": {"samples": [1, 1e400]}}}]})",
                 "points[0].metrics.latency_ms.samples[1]: the number 1e400 is out of range");
  expect_refused(R"({"schema": "other"})", "not a shishu-bench report");
  expect_refused(R"({"schema": "shishu-bench/report", "schema_version": 99, "points": []})", "schema version 99");
  expect_refused(R"({"schema": "shishu-bench/report", "schema_version": 1})", "no points");
  // Fields of the wrong type, and a number that overflows, are refused as well.
  expect_refused(R"({"schema": 1})", "not a shishu-bench report");
  expect_refused(R"({"schema": "shishu-bench/report", "schema_version": "1"})", "schema version \"1\"");
  expect_refused(R"({"schema": "shishu-bench/report", "schema_version": 1E400})",
                 "schema_version: the number 1E400 is out of range, at line 1, column 57");
  EXPECT_THROW(reports::read_report(dir + "/missing.json"), std::invalid_argument);
  fs::create_directories(dir + "/folder.json");
  try {
    reports::read_report(dir + "/folder.json");
    ADD_FAILURE() << "read a directory";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), dir + "/folder.json: a directory, not a file");
  }

  const auto report = reports::make_report({{"host", "h"}}, {sample_result()});
  reports::write_file_atomic(dir + "/ok.json", report.dump());
  EXPECT_EQ(reports::read_report(dir + "/ok.json")["points"].size(), 1u);
  EXPECT_FALSE(fs::exists(dir + "/ok.json.tmp"));
}

TEST(Journal, AppendsAndSurvivesATornLastLine) {
  const std::string path = temp_dir("journal") + "/journal.jsonl";
  {
    reports::Journal j(path);
    j.append(sample_result());
    auto second = sample_result();
    second.point.shape[bench::Axis::kBatch] = 4;
    j.append(second);
  }
  EXPECT_EQ(reports::Journal::read(path, nullptr).size(), 2u);
  std::ofstream(path, std::ios::app) << R"({"id": "generate/x", "axes": {"mo)";  // killed mid-write
  std::vector<std::string> warnings;
  EXPECT_EQ(reports::Journal::read(path, &warnings).size(), 2u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("incomplete last line"), std::string::npos);
  // A broken line that is not the last is corruption, not interruption.
  std::ofstream(path, std::ios::app) << "\n" << reports::point_to_json(sample_result()).dump() << "\n";
  EXPECT_THROW(reports::Journal::read(path, nullptr), std::invalid_argument);
}
