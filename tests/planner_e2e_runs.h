// What the planner's end-to-end suites share (tests/test_planner_e2e.cpp,
// tests/test_planner_cli.cpp): the two tiny sweeps, measured once and reused (see
// planner_runs()), and the tiny calibration's model file.
#pragma once
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "e2e_util.h"

namespace shishu::testing {

inline const std::string kBench = SHISHU_BENCH_EXE;
inline const std::string kReport = SHISHU_REPORT_EXE;

struct PlannerRuns {
  std::string dir, phases, tiny, model;  // run folders, and the tiny calibration's model file
  std::string error;                     // why a run failed, for every test to report
};

// What the runs depend on: each binary's and preset's size and modification time.
inline std::string planner_runs_stamp() {
  std::string stamp;
  for (const std::string& path : {kBench, kReport, std::string(SHISHU_TEST_DATA "/planner-phases.json"),
                                 std::string(SHISHU_TEST_DATA "/planner-tiny.json")}) {
    struct stat s {};
    if (::stat(path.c_str(), &s) != 0) return "";
    stamp += path + " " + std::to_string(s.st_size) + " " + std::to_string(s.st_mtim.tv_sec) + "." +
             std::to_string(s.st_mtim.tv_nsec) + "\n";
  }
  return stamp;
}

// tests/data/planner-phases.json into `phases`, planner-tiny.json into `tiny`, and
// `calibrate tiny --exclude 125m:2+1 --out model`, in SHISHU_PLANNER_E2E_DIR. ctest runs
// each test in a process of its own, two at a time: the first to take the folder's lock
// measures, and the others (and later processes, until a binary or preset changes) reuse
// its runs, so the sweeps are measured once, not once a test.
inline PlannerRuns& planner_runs() {
  static PlannerRuns r = [] {
    PlannerRuns out;
    out.dir = SHISHU_PLANNER_E2E_DIR;
    out.phases = out.dir + "/phases";
    out.tiny = out.dir + "/tiny";
    out.model = out.dir + "/model.json";
    std::filesystem::create_directories(std::filesystem::path(out.dir).parent_path());
    const int lock = ::open((out.dir + ".lock").c_str(), O_CREAT | O_RDWR, 0644);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
      out.error = "cannot lock " + out.dir + ".lock";
      return out;
    }
    const std::string stamp = planner_runs_stamp();
    if (!stamp.empty() && slurp(out.dir + "/stamp") == stamp) {
      ::close(lock);  // releases the lock
      return out;
    }
    std::filesystem::remove_all(out.dir);
    std::filesystem::create_directories(out.dir);
    std::string err, stdout_text;
    for (const auto& [preset, folder] : {std::pair{"planner-phases.json", out.phases}, {"planner-tiny.json", out.tiny}}) {
      if (run_exe(kBench, "run --preset " SHISHU_TEST_DATA "/" + std::string(preset) + " --out " + folder, &err) != 0) {
        out.error += std::string(preset) + ": " + err;
      }
    }
    if (out.error.empty() &&
        run_exe(kReport, "calibrate " + out.tiny + " --exclude 125m:2+1 --out " + out.model, &err, &stdout_text) != 0) {
      out.error = "calibrate: " + err + stdout_text;
    }
    if (out.error.empty()) std::ofstream(out.dir + "/stamp") << stamp;
    ::close(lock);
    return out;
  }();
  return r;
}

}  // namespace shishu::testing

#define REQUIRE_PLANNER_RUNS() \
  ASSERT_TRUE(shishu::testing::planner_runs().error.empty()) << shishu::testing::planner_runs().error
