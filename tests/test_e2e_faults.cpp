// End to end: a disk that fills while a sweep writes. The run fails with exit 1 and a
// message naming the file, the reason and how to continue; no half-written report.json
// is left; the journal keeps whole lines, and --resume finishes the sweep from it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "e2e_util.h"

namespace fs = std::filesystem;

namespace {

const std::string kExe = SHISHU_BENCH_EXE;
const std::string kSweep = SHISHU_TEST_DATA "/tiny-sweep.json";

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool ends_with_newline(const std::string& path) {
  const std::string text = shishu::testing::slurp(path);
  return !text.empty() && text.back() == '\n';
}

}  // namespace

// /dev/full in place of report.json's temporary file: every point is measured and
// journaled, then the report cannot be written.
TEST(FullDisk, AReportThatCannotBeWrittenLeavesNoneAndTheRunResumes) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  const std::string dir = shishu::testing::fresh_dir("shishu-faults", "report");
  fs::create_directories(dir);
  fs::create_symlink("/dev/full", dir + "/report.json.tmp");
  const std::string sweep = "run --preset " + kSweep + " --phase forward --seq 8 --reps 1";
  std::string err;
  EXPECT_EQ(shishu::testing::run_exe(kExe, sweep + " --out " + dir, &err), 1) << err;
  EXPECT_NE(err.find("cannot write " + dir + "/report.json.tmp: No space left on device"), std::string::npos) << err;
  EXPECT_NE(err.find("continue with --resume " + dir), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir + "/report.json"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir + "/report.json.tmp")));  // the failed temporary file is gone
  EXPECT_EQ(lines_of(dir + "/journal.jsonl").size(), 2u);

  EXPECT_EQ(shishu::testing::run_exe(kExe, sweep + " --resume " + dir, &err), 0) << err;
  EXPECT_NE(err.find("(2 already finished)"), std::string::npos) << err;
  EXPECT_EQ(shishu::testing::read_json(dir + "/report.json")["points"].size(), 2u);
}

// A file-size limit of 5 KiB (sh counts 512-byte blocks; with SIGXFSZ ignored, a write past it fails with EFBIG, as
// on a full disk) stops the journal a few lines in, in the middle of a line.
TEST(FullDisk, AJournalThatFillsMidRunKeepsWholeLinesAndResumes) {
  const std::string dir = shishu::testing::fresh_dir("shishu-faults", "journal");
  const std::string sweep = "run --preset " + kSweep + " --reps 1";
  std::string err;
  const int rc = shishu::testing::run_exe("trap '' XFSZ; ulimit -f 10; exec " + kExe, sweep + " --out " + dir, &err);
  EXPECT_EQ(rc, 1) << err;
  EXPECT_NE(err.find("cannot write the journal " + dir + "/journal.jsonl: File too large"), std::string::npos) << err;
  EXPECT_NE(err.find("continue with --resume " + dir), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir + "/report.json"));
  const size_t kept = lines_of(dir + "/journal.jsonl").size();
  ASSERT_GE(kept, 1u);
  ASSERT_LT(kept, 12u);
  EXPECT_TRUE(ends_with_newline(dir + "/journal.jsonl")) << "the partial line was not cut off";
  for (const auto& line : lines_of(dir + "/journal.jsonl")) EXPECT_NO_THROW((void)nlohmann::json::parse(line)) << line;

  EXPECT_EQ(shishu::testing::run_exe(kExe, sweep + " --resume " + dir, &err), 0) << err;
  EXPECT_NE(err.find("(" + std::to_string(kept) + " already finished)"), std::string::npos) << err;
  EXPECT_EQ(err.find("incomplete last line"), std::string::npos) << err;
  const auto report = shishu::testing::read_json(dir + "/report.json");
  EXPECT_EQ(report["points"].size(), 12u);
  EXPECT_EQ(lines_of(dir + "/journal.jsonl").size(), 12u);
}

// A journal or run.json edited by hand into nonsense: --resume exits 2 naming the file
// and the place, and changes nothing.
TEST(HostileRunFolder, ResumeNamesTheEditedJournalLineAndRunJson) {
  const std::string dir = shishu::testing::fresh_dir("shishu-faults", "edited");
  const std::string sweep = "run --preset " + kSweep + " --phase forward --seq 8 --reps 1";
  std::string err;
  ASSERT_EQ(shishu::testing::run_exe(kExe, sweep + " --out " + dir, &err), 0) << err;
  auto lines = lines_of(dir + "/journal.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  const std::string journal_before = shishu::testing::slurp(dir + "/journal.jsonl");
  auto entry = nlohmann::json::parse(lines[1]);
  entry["axes"]["batch"] = "four";
  std::ofstream(dir + "/journal.jsonl") << lines[0] << "\n" << entry.dump() << "\n";
  EXPECT_EQ(shishu::testing::run_exe(kExe, sweep + " --resume " + dir, &err), 2) << err;
  EXPECT_NE(err.find(dir + "/journal.jsonl line 2: entry.axes.batch: expected an integer, found string"),
            std::string::npos)
      << err;

  std::ofstream(dir + "/journal.jsonl") << journal_before;
  std::ofstream(dir + "/run.json") << "{\"preset\": ";
  EXPECT_EQ(shishu::testing::run_exe(kExe, sweep + " --resume " + dir, &err), 2) << err;
  EXPECT_NE(err.find(dir + "/run.json: cut short at line 1"), std::string::npos) << err;
  EXPECT_EQ(shishu::testing::slurp(dir + "/journal.jsonl"), journal_before);
}

// A checkpoint that does not fit: exit 1 with the reason, and no file left behind that a
// later --weights could mistake for a checkpoint.
TEST(FullDisk, AnExportThatDoesNotFitLeavesNoCheckpoint) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  const std::string dir = shishu::testing::fresh_dir("shishu-faults", "export");
  fs::create_directories(dir);
  fs::create_symlink("/dev/full", dir + "/model.safetensors.tmp");
  std::string err;
  EXPECT_EQ(shishu::testing::run_exe(kExe, "export --model 125m:2 --out " + dir, &err), 1) << err;
  EXPECT_NE(err.find("model.safetensors.tmp: write failed: No space left on device"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir + "/model.safetensors"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir + "/model.safetensors.tmp")));
}
