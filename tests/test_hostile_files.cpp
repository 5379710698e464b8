// Reports and journals edited into nonsense, and a full disk under the writers: every
// reader names the file and the place (exit-2 class std::invalid_argument), and every
// writer fails whole (WriteError), leaving what was there before.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

#include <filesystem>
#include <fstream>
#include <functional>

#include "reports/journal.h"
#include "reports/loaded_report.h"
#include "reports/report_json.h"
#include "synthetic_report.h"

using namespace shishu;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bench::PointResult a_point(int64_t batch) {
  bench::PointResult r;
  r.point = shishu::testing::make_point("forward", "mobilellm-125m",
                                        {{bench::Axis::kBatch, batch}, {bench::Axis::kSeq, 64}}, "fp32", "cpu");
  for (double v : {3.0, 3.5, 3.25}) r.add_sample("latency_ms", v);
  r.set_value("cpu_peak_rss_bytes", 1e9);
  return r;
}

json a_report() {
  json context = {{"git_commit", "0123456789abcdef"}, {"host", "h"}, {"devices", {{{"device", "cpu"}, {"name", "x"}}}}};
  return reports::make_report(context, {a_point(1), a_point(4)});
}

std::string temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("shishu-hostile-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// The message `load` throws for `doc`, or "accepted".
std::string refusal(const json& doc) {
  try {
    reports::report_from_json(reports::parse_report(doc.dump(), "edited.json"), "edited.json");
    return "accepted";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
}

}  // namespace

TEST(HostileReport, AFieldOfTheWrongTypeIsNamedWithItsFileAndPlace) {
  ASSERT_EQ(refusal(a_report()), "accepted");
  const std::vector<std::pair<std::function<void(json&)>, std::string>> edits = {
      {[](json& r) { r["points"][1]["axes"]["batch"] = "four"; },
       "edited.json: points[1].axes.batch: expected an integer, found string"},
      {[](json& r) { r["points"][0]["axes"]["batch"] = 1.5; }, "points[0].axes.batch: expected an integer, found number"},
      {[](json& r) { r["points"][0]["axes"]["phase"] = "backward"; }, "points[0].axes.phase: "},
      // Found by a hand-made probe under UBSan: gen = INT64_MIN overflowed gen - 1.
      {[](json& r) { r["points"][1]["axes"]["seq"] = INT64_MIN; },
       "points[1].axes.seq: must be at least 1, found -9223372036854775808"},
      {[](json& r) { r["points"][0]["axes"]["batch"] = 0; }, "points[0].axes.batch: must be at least 1, found 0"},
      {[](json& r) { r["points"][0]["metrics"]["latency_ms"]["samples"] = json::array(); },
       "points[0].metrics.latency_ms.samples: empty"},
      {[](json& r) { r["points"][0]["metrics"]["latency_ms"]["samples"][2] = "fast"; },
       "points[0].metrics.latency_ms.samples[2]: expected a number, found string"},
      {[](json& r) { r["points"][0]["metrics"]["cpu_peak_rss_bytes"] = json::object(); },
       "points[0].metrics.cpu_peak_rss_bytes: expected a number, found object"},
      {[](json& r) { r["points"][0]["metrics"]["latency"] = 1; }, "points[0].metrics.latency: not a metric"},
      {[](json& r) { r["points"][0]["metrics"] = json::array(); }, "points[0].metrics: expected an object, found array"},
      {[](json& r) { r["points"][1]["status"] = 0; }, "points[1].status: expected a string, found number"},
      {[](json& r) { r["points"][1]["profile"] = {{"source", "cpu"}}; }, "points[1].profile.dropped_records: missing"},
      {[](json& r) { r["points"][1]["environment"] = {{"flags", {1}}}; },
       "points[1].environment.flags[0]: expected a string, found number"},
      {[](json& r) { r["points"][1] = 7; }, "points[1]: expected an object, found number"},
      {[](json& r) { r["points"][1] = r["points"][0]; }, "points[1]: a second entry for"},
      {[](json& r) { r["context"]["git_commit"] = 7; }, "edited.json: context.git_commit: expected a string, found 7"},
      {[](json& r) { r["context"]["devices"][0]["name"] = json::array(); }, "context.devices: expected an array of device"},
      {[](json& r) { r["context"]["warnings"] = "none"; }, "context.warnings: expected an array of strings"},
      {[](json& r) { r["context"] = json::array(); }, "edited.json: context: expected an object, found array"},
      // Values no measurement can have, named with their field, for every command that reads.
      {[](json& r) { r["points"][0]["metrics"]["latency_ms"]["samples"][1] = -5; },
       "points[0].metrics.latency_ms.samples[1]: -5 is not a measurement: a duration must be above 0"},
      {[](json& r) { r["points"][0]["metrics"]["latency_ms"]["samples"][0] = 0; },
       "points[0].metrics.latency_ms.samples[0]: 0 is not a measurement: a duration must be above 0"},
      {[](json& r) { r["points"][1]["metrics"]["cpu_peak_rss_bytes"] = -1; },
       "points[1].metrics.cpu_peak_rss_bytes: -1 is not a measurement: bytes cannot be negative"},
      {[](json& r) { r["points"][0]["axes"]["seq"] = json(); }, "points[0].axes.seq: expected an integer, found null"},
      {[](json& r) { r["points"][0]["axes"].erase("seq"); }, "points[0].axes.seq: missing"},
      {[](json& r) { r["points"][0]["axes"]["prefill"] = 4; }, "points[0].axes: phase forward takes the axes batch, seq"},
  };
  for (const auto& [edit, message] : edits) {
    json doc = a_report();
    edit(doc);
    const std::string what = refusal(doc);
    EXPECT_NE(what.find(message), std::string::npos) << "wanted: " << message << "\n   got: " << what;
  }
}

TEST(HostileJournal, AnEditedLineIsNamedAndOnlyAnUnterminatedLastLineIsForgiven) {
  const std::string good = reports::point_to_json(a_point(1)).dump() + "\n";
  json bad = reports::point_to_json(a_point(4));
  bad["axes"]["seq"] = "long";
  auto refusal = [](const std::string& text) -> std::string {
    try {
      reports::Journal::parse(text, "j.jsonl", nullptr);
      return "accepted";
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
  };
  EXPECT_EQ(refusal(good + good), "accepted");
  EXPECT_EQ(refusal(good + bad.dump() + "\n" + good), "j.jsonl line 2: entry.axes.seq: expected an integer, found string");
  EXPECT_EQ(refusal(good + "\n" + "}{\n"), "j.jsonl line 3: not JSON at line 1, column 1, at '}{'");
  // A terminated last line was written whole, so nonsense there is an edit, not a cut.
  EXPECT_EQ(refusal(good + "{\"axes\": 1}\n"), "j.jsonl line 2: entry.axes: expected an object, found number");
  std::vector<std::string> warnings;
  EXPECT_EQ(reports::Journal::parse(good + good.substr(0, 40), "j.jsonl", &warnings).size(), 1u);
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(HostileJournal, ReopeningCutsAnInterruptedLineSoTheNextAppendStartsClean) {
  const std::string path = temp_dir("reopen") + "/journal.jsonl";
  const std::string line = reports::point_to_json(a_point(1)).dump() + "\n";
  std::ofstream(path) << line << line.substr(0, 30);  // killed mid-write
  {
    reports::Journal journal(path);
    journal.append(a_point(4));
  }
  std::vector<std::string> warnings;
  const auto points = reports::Journal::read(path, &warnings);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1].point.batch(), 4);
  EXPECT_TRUE(warnings.empty());
}

// /dev/full accepts the open and fails every write with ENOSPC: a disk with no room left.
TEST(FullDisk, AnAtomicWriteFailsWholeAndLeavesTheOldFile) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  const std::string dir = temp_dir("atomic");
  const std::string path = dir + "/report.json";
  std::ofstream(path) << "old";
  fs::create_symlink("/dev/full", path + ".tmp");
  try {
    reports::write_file_atomic(path, std::string(100000, 'x'));
    ADD_FAILURE() << "a write to a full disk succeeded";
  } catch (const reports::WriteError& e) {
    EXPECT_NE(std::string(e.what()).find("No space left on device"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(fs::symlink_status(path + ".tmp")));  // the temporary file is removed
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "old");
}

TEST(FullDisk, AJournalAppendThatFailsThrowsAndKeepsWholeLines) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  const std::string dir = temp_dir("journal");
  fs::create_symlink("/dev/full", dir + "/journal.jsonl");
  reports::Journal full(dir + "/journal.jsonl");
  EXPECT_THROW(full.append(a_point(1)), reports::WriteError);

  // A disk that fills in the middle of a line: the file-size limit lets the write through
  // up to 100 bytes past the first line, then fails it (EFBIG, with SIGXFSZ ignored).
  const std::string path = dir + "/partial.jsonl";
  reports::Journal journal(path);
  journal.append(a_point(1));
  const auto size = fs::file_size(path);
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit tight = old;
  tight.rlim_cur = size + 100;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tight), 0);
  bool threw = false;
  try {
    journal.append(a_point(4));
  } catch (const reports::WriteError&) {
    threw = true;
  }
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(threw);
  EXPECT_EQ(fs::file_size(path), size);  // the partial line was cut off again
  std::vector<std::string> warnings;
  EXPECT_EQ(reports::Journal::read(path, &warnings).size(), 1u);
  EXPECT_TRUE(warnings.empty());
  journal.append(a_point(4));  // with room again, the journal goes on
  EXPECT_EQ(reports::Journal::read(path, nullptr).size(), 2u);
}
