// End to end: the shishu-bench binary on a tiny grid (two-layer models of 125M width,
// every phase, CPU). Checks the report's completeness, failure isolation, resume after
// a real interruption, and exit status 2 for bad input.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <set>
#include <sstream>
#include <thread>

#include "e2e_util.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kExe = SHISHU_BENCH_EXE;
const std::string kLongContext = SHISHU_TEST_DATA "/long-context-tiny.json";
const std::string kSweep = SHISHU_TEST_DATA "/tiny-sweep.json";

std::string fresh_dir(const std::string& name) { return shishu::testing::fresh_dir("shishu-e2e", name); }

// Runs the binary with `args`; returns its exit status, stderr in *err, stdout in *out.
int run(const std::string& args, std::string* err = nullptr, std::string* out = nullptr) {
  return shishu::testing::run_exe(kExe, args, err, out);
}

using shishu::testing::read_json;

size_t journal_lines(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

// Starts the tiny sweep into `dir` in the background and waits until `lines` points are
// journaled (or a minute passes). Returns its pid.
pid_t start_sweep_until(const std::string& dir, size_t lines) {
  const pid_t pid = shishu::testing::spawn(kExe, {"run", "--preset", kSweep, "--reps", "3", "--out", dir});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (journal_lines(dir + "/journal.jsonl") < lines && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pid;
}

}  // namespace

TEST(EndToEnd, EveryPointIsReportedWithFiniteTimingsAndMemory) {
  const std::string dir = fresh_dir("full");
  ASSERT_EQ(run("run --preset " + kSweep + " --out " + dir), 0);
  const json report = read_json(dir + "/report.json");
  EXPECT_EQ(report["schema"], "shishu-bench/report");
  EXPECT_EQ(report["context"]["build_type"], SHISHU_BUILD_TYPE);
  // Google Benchmark's build type is recorded; a debug build comes with the reason it
  // changes no figure (Debian's package is one).
  const json& gbench = report["context"]["google_benchmark"];
  EXPECT_EQ(gbench["timing"], "manual");
  EXPECT_TRUE(gbench["library_build_type"] == "debug" || gbench["library_build_type"] == "release") << gbench;
  if (gbench["library_build_type"] == "debug") {
    EXPECT_NE(gbench.value("note", "").find("manual time"), std::string::npos);
  }
  // 2 models x (2 phases x 2 seqs + 2 batches) = 12 points.
  ASSERT_EQ(report["points"].size(), 12u);
  std::set<std::string> ids;
  for (const auto& p : report["points"]) {
    ids.insert(p["id"].get<std::string>());
    EXPECT_EQ(p["status"], "ok") << p["id"];
    const auto& lat = p["metrics"]["latency_ms"];
    EXPECT_EQ(lat["samples"].size(), 2u) << p["id"];
    for (double v : lat["samples"]) EXPECT_TRUE(std::isfinite(v) && v > 0) << p["id"];
    EXPECT_GT(p["metrics"]["cpu_peak_rss_bytes"].get<double>(), 0) << p["id"];
    // Tensor bytes: at least the weights, and less than the process's resident set.
    const double allocated = p["metrics"]["cpu_peak_allocated_bytes"];
    EXPECT_GE(allocated, p["metrics"]["predicted_weight_bytes"].get<double>()) << p["id"];
    EXPECT_LT(allocated, p["metrics"]["cpu_peak_rss_bytes"].get<double>()) << p["id"];
    EXPECT_GT(p["metrics"]["predicted_weight_bytes"].get<double>(), 0) << p["id"];
    if (p["axes"]["phase"] == "generate") {
      EXPECT_EQ(p["metrics"]["decode_step_ms"]["samples"].size(), 2u * (3 - 1)) << p["id"];
      const double ttft = p["metrics"]["ttft_ms"]["median"], total = lat["median"];
      EXPECT_GT(ttft, 0);
      EXPECT_LT(ttft, total);
      EXPECT_GT(p["metrics"]["throughput_tok_s"]["median"].get<double>(), 0);
    }
  }
  EXPECT_EQ(ids.size(), 12u);
  EXPECT_EQ(journal_lines(dir + "/journal.jsonl"), 12u);
  EXPECT_TRUE(fs::exists(dir + "/summary.md"));
}

TEST(EndToEnd, AFailingPointIsRecordedAndTheOthersComplete) {
  const std::string dir = fresh_dir("fail");
  const int rc = run("run --preset " + kSweep + " --models 125m:2 --out " + dir +
                     " --inject-failure forward/125m:2/fp32/cpu/eager/b1/t8=oom"
                     " --inject-failure generate/125m:2/fp32/cpu/eager/b2=error");
  EXPECT_EQ(rc, 1) << "an errored point must make the exit status non-zero";
  const json report = read_json(dir + "/report.json");
  ASSERT_EQ(report["points"].size(), 6u);
  std::map<std::string, std::string> status;
  for (const auto& p : report["points"]) status[p["id"]] = p["status"];
  EXPECT_EQ(status["forward/125m:2/fp32/cpu/eager/b1/t8"], "oom");
  EXPECT_EQ(status["generate/125m:2/fp32/cpu/eager/b2/p8/g3"], "error");
  int ok = 0;
  for (const auto& [id, s] : status) ok += s == "ok";
  EXPECT_EQ(ok, 4);
  for (const auto& p : report["points"]) {
    if (p["status"] != "ok") {
      EXPECT_FALSE(p["message"].get<std::string>().empty());
      EXPECT_FALSE(p["metrics"].contains("latency_ms"));
    }
  }
}

TEST(EndToEnd, ResumeAfterAnInterruptionRunsOnlyTheRemainingPoints) {
  const std::string dir = fresh_dir("resume");
  const std::string journal = dir + "/journal.jsonl";
  // Real interruption: start the sweep, stop it once some points are journaled.
  const pid_t pid = start_sweep_until(dir, 3);
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const size_t before = journal_lines(journal);
  ASSERT_GE(before, 3u);
  ASSERT_LT(before, 12u) << "the sweep finished before it could be interrupted";
  EXPECT_FALSE(fs::exists(dir + "/report.json"));

  std::string err;
  ASSERT_EQ(run("run --preset " + kSweep + " --reps 3 --resume " + dir, &err), 0) << err;
  EXPECT_NE(err.find("(" + std::to_string(before) + " already finished)"), std::string::npos) << err;
  EXPECT_NE(err.find("[" + std::to_string(12 - before) + "/" + std::to_string(12 - before) + "]"), std::string::npos)
      << "progress should count only the remaining points:\n" << err;
  EXPECT_EQ(journal_lines(journal), 12u);
  const json report = read_json(dir + "/report.json");
  ASSERT_EQ(report["points"].size(), 12u);
  for (const auto& p : report["points"]) EXPECT_EQ(p["status"], "ok") << p["id"];
}

TEST(EndToEnd, BadInputExitsWithStatus2AndNamesTheValue) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"run --models mobilellm-9b --list", "unknown model 'mobilellm-9b'"},
      {"run --models 125m:20+x --list", "layout '20+x'"},
      {"run --batch 0 --list", "--batch: '0' must be positive"},
      {"run --phase generate --gen 1 --list", "generate: gen 1 is below 2: throughput"},
      // Every numeric flag refuses what is not a finite number, naming it (one shared check).
      {"run --noise nan --list", "--noise: 'nan' is not a finite number"},
      {"run --noise-timeout inf --list", "--noise-timeout: 'inf' is not a finite number"},
      {"run --inject-slowdown nan --list", "--inject-slowdown: 'nan' is not a finite number"},
      {"run --inject-slowdown 1e999 --list", "1e999"},
      {"run --noise -1 --list", "--noise -1 must be in (0, 100)"},
      {"run --noise 1e308 --list", "--noise 1e+308 must be in (0, 100)"},
      {"run --noise-timeout -3 --list", "--noise-timeout -3 must be"},
      {"run --inject-failure =oom --list", "--inject-failure '=oom' must be ID_SUBSTRING=oom|error|error:MESSAGE"},
      {"run --inject-failure fwd --list", "--inject-failure 'fwd' must be"},
      {"run --models 125m:2+0 --list", "an MLP-only layer count of 0"},
      {"run --models 125m:2+1+0*2 --list", "an MLP-only layer count of 0"},
      {"run --phase generate --l2-flush --list", "--l2-flush applies to forward, forward_backward, train_step"},
      {"run --phase generate --prefill 64 --prefill-chunk 128 --list", "prefill_chunk 128 is above prefill 64"},
      {"run --preset " + kLongContext + " --depth 0 --list", "--depth: '0' must be positive"},
      {"run --preset " + kLongContext + " --depth 200000 --list", "depth 200000 + gen 4 = 200004 positions, past the limit"},
      {"run --preset " + kLongContext + " --prefill-chunk 97 --list", "prefill_chunk 97 is above prefill 96"},
      {"run --dtype int4 --list", "unknown dtype 'int4'"},
      {"run --device npu --list", "unknown device 'npu'"},
      {"run --preset " + std::string(SHISHU_TEST_DATA) + "/missing.json --list", "no preset or file"},
      {"run --shard 5/2 --list", "shard 5/2 is invalid"},
      {"run --benchmark_no_such_flag=1 --list", "unrecognized command-line flag"},
      {"run --no-such-flag", "--no-such-flag"},
      {"models --also 125m:7*2", "layout '7*2'"},
  };
  for (const auto& [args, message] : cases) {
    std::string err;
    EXPECT_EQ(run(args, &err), 2) << args << "\n" << err;
    EXPECT_NE(err.find(message), std::string::npos) << args << "\n" << err;
  }
}

// A GPU sweep is planned on any machine: every point listed, the ones this machine
// cannot run marked, exit 0. Running it still refuses.
TEST(EndToEnd, ListPlansAGpuSweepOnAnyMachine) {
  std::string err, out;
  ASSERT_EQ(run("run --preset ci-gpu --list", &err, &out), 0) << err;
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  // ci-gpu: 6 models x (2 forward phases x 2 lengths + 2 batches x 2 modes + 1 training step) = 54 points.
  ASSERT_EQ(lines.size(), 54u) << out;
  const bool have_gpu = run("run --device cuda --phase forward --models 125m:1 --seq 8 --list", nullptr, &out) == 0 &&
                        out.find("# not here") == std::string::npos;
  for (const auto& line : lines) {
    EXPECT_EQ(line.find("# not here: no CUDA device") != std::string::npos, !have_gpu) << line;
  }
  EXPECT_NE(err.find("54 points"), std::string::npos) << err;

  ASSERT_EQ(run("run --preset ci-gpu --list --shard 1/4 --shard-by count", &err, &out), 0) << err;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 14) << out;  // round-robin: points 1, 5, ..., 53
  ASSERT_EQ(run("run --phase generate --mode cuda_graphs --device cpu --models 125m:1 --prefill 4 --gen 2 --list", &err, &out), 0);
  EXPECT_NE(out.find("\t# skip: cuda_graphs needs a CUDA device"), std::string::npos) << out;

  if (!have_gpu) {
    EXPECT_EQ(run("run --device cuda --phase forward --models 125m:1 --seq 8 --out " + fresh_dir("nogpu"), &err), 2);
    EXPECT_NE(err.find("device 'cuda' requested by 1 point(s), but no CUDA device"), std::string::npos) << err;
  }
}

TEST(EndToEnd, ExistingRunFolderIsNotOverwritten) {
  const std::string dir = fresh_dir("twice");
  ASSERT_EQ(run("run --preset " + kSweep + " --models 125m:2 --phase forward --seq 8 --reps 1 --out " + dir), 0);
  std::string err;
  EXPECT_EQ(run("run --preset " + kSweep + " --models 125m:2 --phase forward --seq 8 --reps 1 --out " + dir, &err), 2);
  EXPECT_NE(err.find("--resume"), std::string::npos) << err;
}

// One writer per run folder: a second one is refused while the first lives; once the
// first is killed (its lock dies with it), --resume continues the folder.
TEST(EndToEnd, ASecondWriterIsRefusedAndAKilledRunsLockIsNot) {
  const std::string dir = fresh_dir("lock");
  const pid_t pid = start_sweep_until(dir, 1);
  ASSERT_GT(pid, 0);
  std::string err;
  EXPECT_EQ(run("run --preset " + kSweep + " --reps 3 --resume " + dir, &err), 2);
  EXPECT_NE(err.find("is being written by another run (pid " + std::to_string(pid) + ")"), std::string::npos) << err;
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the first run finished before the check";
  EXPECT_EQ(run("run --preset " + kSweep + " --reps 3 --resume " + dir, &err), 0) << err;
  EXPECT_EQ(shishu::testing::read_json(dir + "/report.json")["points"].size(), 12u);
  // And a place that cannot be written is bad input, named.
  EXPECT_EQ(run("run --preset " + kSweep + " --out /proc/forbidden/run", &err), 2);
  EXPECT_NE(err.find("cannot create the output folder '/proc/forbidden/run'"), std::string::npos) << err;
}

namespace {

const std::string kReportExe = SHISHU_REPORT_EXE;

int run_report(const std::string& args, std::string* out = nullptr) {
  const std::string out_path = fs::temp_directory_path() / ("shishu-e2e-report-" + std::to_string(::getpid()));
  const int rc = std::system((kReportExe + " " + args + " >" + out_path + " 2>&1").c_str());
  if (out) {
    std::ifstream in(out_path);
    out->assign(std::istreambuf_iterator<char>(in), {});
  }
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace

TEST(EndToEnd, ShardsMergeIntoTheUnshardedSweep) {
  const std::string dir = fresh_dir("shards");
  const std::string common = "run --preset " + kSweep + " --models 125m:2 --reps 1 --warmup 0";
  ASSERT_EQ(run(common + " --out " + dir + "/all"), 0);
  ASSERT_EQ(run(common + " --shard 0/2 --out " + dir + "/s0"), 0);
  ASSERT_EQ(run(common + " --shard 1/2 --out " + dir + "/s1"), 0);
  std::string out;
  ASSERT_EQ(run_report("merge " + dir + "/s1/report.json " + dir + "/s0/report.json --out " + dir + "/merged.json", &out),
            0)
      << out;
  const json all = read_json(dir + "/all/report.json"), merged = read_json(dir + "/merged.json");
  std::vector<std::string> all_ids, merged_ids;
  for (const auto& p : all["points"]) all_ids.push_back(p["id"]);
  for (const auto& p : merged["points"]) merged_ids.push_back(p["id"]);
  EXPECT_EQ(merged_ids, all_ids);  // same points, same order
  EXPECT_EQ(merged["context"]["shard"], "merged from 0/2,1/2");
}

TEST(EndToEnd, ProfileWritesChromeTracesAndSummaries) {
  const std::string dir = fresh_dir("profile");
  ASSERT_EQ(run("run --preset " + kSweep + " --models 125m:1+1*2 --reps 1 --profile --out " + dir), 0);
  const json report = read_json(dir + "/report.json");
  EXPECT_TRUE(report["context"]["profile"].get<bool>());
  ASSERT_EQ(report["points"].size(), 6u);
  for (const auto& p : report["points"]) {
    ASSERT_TRUE(p.contains("profile")) << p["id"];
    const auto& s = p["profile"];
    EXPECT_TRUE(s["untimed"].get<bool>());
    EXPECT_EQ(s["source"], "record_function");
    EXPECT_EQ(p["metrics"]["latency_ms"]["samples"].size(), 1u) << "the profiled pass must not add a sample";
    EXPECT_GT(s["wall_ms"].get<double>(), 0);
    EXPECT_GT(s["busy_ms"].get<double>(), 0);
    EXPECT_LE(s["busy_ms"].get<double>(), s["wall_ms"].get<double>()) << p["id"];
    EXPECT_GT(s["work_items"].get<int64_t>(), 0);
    EXPECT_EQ(s["attention_layer_calls"].get<int64_t>() > 0, true);
    EXPECT_EQ(s["dropped_records"], 0);
    const bool generate = p["axes"]["phase"] == "generate";
    EXPECT_EQ(s["per_decode_step"].is_null(), !generate) << p["id"];
    if (generate) {
      EXPECT_GT(s["per_decode_step"].get<double>(), 0);
    } else {
      EXPECT_GT(s["per_forward"].get<double>(), 0);
    }

    // The trace opens as Chrome trace-event JSON and holds the phase ranges.
    const json trace = read_json(dir + "/" + s["trace_file"].get<std::string>());
    std::set<std::string> ranges;
    for (const auto& e : trace["traceEvents"]) {
      if (e.value("cat", "") == "range") ranges.insert(e["name"]);
    }
    for (const char* r : {"profiled_pass", "attention_layer", "mlp_only_layer"}) EXPECT_TRUE(ranges.count(r)) << r;
    for (const char* r : generate ? std::vector<const char*>{"prefill", "decode_step"} : std::vector<const char*>{"forward"}) {
      EXPECT_TRUE(ranges.count(r)) << p["id"] << " lacks " << r;
    }
    if (p["axes"]["phase"] == "forward_backward") {
      EXPECT_TRUE(ranges.count("backward"));
    }
  }
}

TEST(EndToEnd, ResumeRefusesADifferentSweep) {
  const std::string dir = fresh_dir("resume-other");
  const std::string common = "run --preset " + kSweep + " --models 125m:2 --phase forward";
  ASSERT_EQ(run(common + " --seq 8 --reps 1 --out " + dir), 0);
  std::string err;
  EXPECT_EQ(run(common + " --seq 8 --reps 2 --resume " + dir, &err), 2);
  EXPECT_NE(err.find("'settings' differs"), std::string::npos) << err;
  EXPECT_EQ(run(common + " --seq 16 --reps 1 --resume " + dir, &err), 2);
  EXPECT_NE(err.find("'points' differs"), std::string::npos) << err;
  EXPECT_EQ(run(common + " --seq 8 --reps 1 --resume " + dir, &err), 0) << err;  // the same sweep: nothing left to run
}
