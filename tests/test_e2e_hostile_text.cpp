// End to end: outside text that is not valid UTF-8 (an exception's message, a path, a
// preset file's name, the command line) never costs a result. On the first GPU run an
// error message holding the byte 0xFF made the journal's JSON writer throw, and the
// whole sweep was lost. And every command's output target is checked before any work:
// exit 2, naming the flag, with nothing built and no temporary file left behind.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "e2e_util.h"

namespace fs = std::filesystem;

namespace {

const std::string kExe = SHISHU_BENCH_EXE;
const std::string kReportExe = SHISHU_REPORT_EXE;
const std::string kSweep = SHISHU_TEST_DATA "/tiny-sweep.json";
const std::string kFixture = SHISHU_TEST_DATA "/fixture-report.json";
const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD, what an invalid sequence becomes

// Quoted for sh, bytes as they are (the shell passes them through untouched).
std::string q(const std::string& s) { return "'" + s + "'"; }

// Every line of `path` parses as JSON (nlohmann refuses invalid UTF-8 when parsing).
void expect_json_lines(const std::string& path) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line); ++n) EXPECT_NO_THROW((void)nlohmann::json::parse(line)) << path << ":" << n;
  EXPECT_GT(n, 0) << path;
}

bool has_raw_ff(const std::string& text) { return text.find('\xff') != std::string::npos; }

}  // namespace

// A point's failure message with a stray 0xFF and a cut-short three-byte sequence: the
// point is recorded as failed with the bytes replaced, and every other point is measured.
TEST(HostileText, AnErrorMessageWithInvalidBytesIsRecordedAndTheSweepCompletes) {
  const std::string dir = shishu::testing::fresh_dir("shishu-text", "message");
  std::string err;
  const int rc = shishu::testing::run_exe(
      kExe, "run --preset " + kSweep + " --phase forward --reps 1 --out " + dir +
                " --inject-failure " + q("/t8=error:device \xff: did you call init? \xe2\x82"), &err);
  EXPECT_EQ(rc, 1) << err;  // a point errored: exit 1, with the report written
  expect_json_lines(dir + "/journal.jsonl");
  const auto report = shishu::testing::read_json(dir + "/report.json");
  ASSERT_EQ(report["points"].size(), 4u);
  int failed = 0;
  for (const auto& p : report["points"]) {
    if (p["status"] != "error") {
      EXPECT_EQ(p["status"], "ok") << p.dump();
      continue;
    }
    ++failed;
    const std::string message = p["message"];
    EXPECT_NE(message.find("device " + kReplacement + ": did you call init? " + kReplacement), std::string::npos)
        << message;
  }
  EXPECT_EQ(failed, 2);  // seq 8 of both models
  EXPECT_FALSE(has_raw_ff(err));  // the console got the same valid text
}

// A preset file and an output folder whose names hold 0xFF: the sweep writes its report
// (the context names them with U+FFFD), resumes from its journal, and every
// shishu-report command reads it and writes its outputs under the same folder.
TEST(HostileText, PathsAndPresetNamesWithInvalidBytes) {
  const std::string root = shishu::testing::fresh_dir("shishu-text", "paths") + "/bad\xff" "dir";
  fs::create_directories(root);
  const std::string preset = root + "/tiny\xfe.json";
  fs::copy_file(kSweep, preset);
  const std::string run = "run --preset " + q(preset) + " --phase forward --seq 8 --reps 1 --out " + q(root + "/run");
  std::string err;
  ASSERT_EQ(shishu::testing::run_exe(kExe, run, &err), 0) << err;
  const auto report = shishu::testing::read_json(root + "/run/report.json");
  const std::string command_line = report["context"]["command_line"];
  EXPECT_NE(command_line.find("bad" + kReplacement + "dir/tiny" + kReplacement + ".json"), std::string::npos);
  // run.json holds the same valid text, so an identical invocation can resume.
  ASSERT_EQ(shishu::testing::run_exe(kExe, run + " --resume " + q(root + "/run"), &err), 0) << err;
  EXPECT_NE(err.find("(2 already finished)"), std::string::npos) << err;
  // A second report, for the history.
  ASSERT_EQ(shishu::testing::run_exe(kExe, "run --preset " + q(preset) + " --phase forward --seq 8 --reps 1 --out " +
                                               q(root + "/run2"), &err),
            0)
      << err;

  const std::string r = q(root + "/run/report.json");
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"table " + r + " --out " + q(root + "/table.md"), root + "/table.md"},
      {"arch " + r + " --out " + q(root + "/arch.md"), root + "/arch.md"},
      {"compare " + r + " " + r + " --json " + q(root + "/cmp.json") + " --summary " + q(root + "/sum.md"),
       root + "/cmp.json"},
      {"history " + q(root) + " --format json --out " + q(root + "/history.json"), root + "/history.json"},
      {"export " + r + " --format bencher --out " + q(root + "/bmf.json"), root + "/bmf.json"},
  };
  for (const auto& [args, output] : commands) {
    const int rc = shishu::testing::run_exe(kReportExe, args, &err);
    EXPECT_EQ(rc, 0) << args << "\n" << err;  // compare: 0, no regression; never 1 for a path's bytes
    EXPECT_TRUE(fs::exists(output)) << args;
    if (output.size() > 5 && output.substr(output.size() - 5) == ".json") {
      EXPECT_NO_THROW((void)shishu::testing::read_json(output)) << output;  // nlohmann refuses invalid UTF-8
    }
  }
}

// A checkpoint under such a folder: export, then a sweep over its weights.
TEST(HostileText, WeightsUnderAPathWithInvalidBytes) {
  const std::string root = shishu::testing::fresh_dir("shishu-text", "weights") + "/w\xff";
  std::string err;
  ASSERT_EQ(shishu::testing::run_exe(kExe, "export --model 125m:1 --out " + q(root + "/ckpt"), &err), 0) << err;
  ASSERT_EQ(shishu::testing::run_exe(kExe, "run --preset " + kSweep + " --phase forward --seq 8 --reps 1 --weights " +
                                                q(root + "/ckpt") + " --out " + q(root + "/run"), &err),
            0)
      << err;
  const auto report = shishu::testing::read_json(root + "/run/report.json");
  EXPECT_NE(report["context"]["weights"]["path"].get<std::string>().find("w" + kReplacement), std::string::npos);
}

// Output targets that cannot be written are refused with exit 2, naming the flag,
// before any work: nothing is created, and no temporary file is left.
TEST(OutputTargets, UnwritableTargetsAreRefusedBeforeAnyWork) {
  const std::string dir = shishu::testing::fresh_dir("shishu-text", "targets");
  const std::string folder = dir + "/a-folder", file = dir + "/a-file";
  fs::create_directories(folder);
  std::ofstream(file) << "x";
  const std::string missing = dir + "/no/such/folder/out.json";
  const std::string model = "--model 125m:1 --tokens 1,2,3";
  struct Case {
    std::string exe, args, flag;
  };
  const std::vector<Case> cases = {
      {kExe, "export --model 125m:1 --out " + file, "--out"},
      {kExe, "export --model 125m:1 --out " + file + "/sub", "--out"},
      {kExe, "evaluate " + model + " --out " + folder, "--out"},
      {kExe, "evaluate " + model + " --out " + missing, "--out"},
      {kExe, "run --preset " + kSweep + " --out " + file, "--out"},
      {kReportExe, "table " + kFixture + " --out " + folder, "--out"},
      {kReportExe, "arch " + kFixture + " --out " + missing, "--out"},
      {kReportExe, "merge " + kFixture + " " + kFixture + " --out " + folder, "--out"},
      {kReportExe, "history " + kFixture + " --out " + folder, "--out"},
      {kReportExe, "export " + kFixture + " --format bencher --out " + folder, "--out"},
      {kReportExe, "export " + kFixture + " --format github-action-benchmark --out " + file, "--out"},
      {kReportExe, "compare " + kFixture + " " + kFixture + " --json " + folder, "--json"},
      {kReportExe, "compare " + kFixture + " " + kFixture + " --summary " + folder, "--summary"},
      {kReportExe, "compare " + kFixture + " " + kFixture + " --json " + missing, "--json"},
  };
  for (const auto& c : cases) {
    std::string err;
    EXPECT_EQ(shishu::testing::run_exe(c.exe, c.args, &err), 2) << c.args << "\n" << err;
    EXPECT_NE(err.find(c.flag), std::string::npos) << c.args << "\n" << err;
    // Nothing was written beside the targets: the scratch folder holds what the test made.
    const auto entries = std::distance(fs::recursive_directory_iterator(dir), fs::recursive_directory_iterator());
    EXPECT_EQ(entries, 2) << c.args;
  }
}
