// End to end: the regression gate's commands. compare over reports and over folders of
// rounds, scripts/ab.sh with two binaries, history, export, the injected slowdown and
// the environment readings in a real report, and exit status 2 for every bad input.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "e2e_util.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kBench = SHISHU_BENCH_EXE;
const std::string kReport = SHISHU_REPORT_EXE;
const std::string kData = SHISHU_TEST_DATA;
const std::string kFixture = kData + "/fixture-report.json";
const std::string kAb = SHISHU_SOURCE_DIR "/scripts/ab.sh";

std::string fresh_dir(const std::string& name) { return shishu::testing::fresh_dir("shishu-gate", name); }

// Runs a command line; returns its exit status, stdout and stderr together in *out.
int sh(const std::string& command, std::string* out = nullptr) {
  const std::string path = fs::temp_directory_path() / ("shishu-gate-out-" + std::to_string(::getpid()));
  const int rc = std::system((command + " >" + path + " 2>&1").c_str());
  if (out) {
    std::ifstream in(path);
    out->assign(std::istreambuf_iterator<char>(in), {});
  }
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

using shishu::testing::read_json;

void write_json(const std::string& path, const json& j) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << j.dump();
}

// Six rounds of the fixture per side, each scaled by the round's drift (shared by both
// sides, as interleaving makes it) and by `factor` on the new side.
void write_rounds(const std::string& dir, double factor) {
  const json fixture = read_json(kFixture);
  const double drift[] = {1.0, 1.15, 0.92, 1.07, 1.2, 0.97};
  for (int r = 0; r < 6; ++r) {
    for (const auto& [side, scale] : {std::pair{"base", 1.0}, std::pair{"new", factor}}) {
      json round = fixture;
      for (auto& p : round["points"]) {
        for (const char* m : {"latency_ms", "ttft_ms", "decode_step_ms"}) {
          if (!p["metrics"].contains(m)) continue;
          for (auto& v : p["metrics"][m]["samples"]) v = v.get<double>() * drift[r] * scale;
        }
        if (p["metrics"].contains("throughput_tok_s")) {
          for (auto& v : p["metrics"]["throughput_tok_s"]["samples"]) v = v.get<double>() / (drift[r] * scale);
        }
      }
      write_json(dir + "/" + side + "/round-0" + std::to_string(r + 1) + "/report.json", round);
    }
  }
}

}  // namespace

TEST(Gate, PairedRoundsGateTheExitStatus) {
  const std::string dir = fresh_dir("rounds");
  write_rounds(dir + "/same", 1.0);
  write_rounds(dir + "/slow", 1.2);
  std::string out;
  EXPECT_EQ(sh(kReport + " compare " + dir + "/same/base " + dir + "/same/new", &out), 0) << out;
  EXPECT_NE(out.find("**No regression**"), std::string::npos) << out;
  EXPECT_EQ(sh(kReport + " compare " + dir + "/slow/base " + dir + "/slow/new --json " + dir + "/c.json --summary " + dir +
                   "/summary.md", &out), 1) << out;
  EXPECT_NE(out.find("**REGRESSION**"), std::string::npos) << out;
  EXPECT_NE(out.find("Paired rounds (6)"), std::string::npos) << out;
  EXPECT_NE(out.find("Benjamini-Hochberg"), std::string::npos) << out;
  const json c = read_json(dir + "/c.json");
  EXPECT_EQ(c["method"], "paired-rounds");
  EXPECT_GT(c["regressions"].get<int>(), 0);
  EXPECT_TRUE(fs::exists(dir + "/summary.md"));
}

TEST(Gate, TwoReportsGiveIntervalsNotBareVerdicts) {
  std::string out;
  EXPECT_EQ(sh(kReport + " compare " + kFixture + " " + kFixture + " --all", &out), 0) << out;
  EXPECT_NE(out.find("Two reports, unpaired"), std::string::npos) << out;
  // Two repetitions a side cannot reach 95%: every timing is inconclusive, never a regression.
  EXPECT_NE(out.find("2 vs 2 repetitions reach at most 66.7% confidence"), std::string::npos) << out;
}

TEST(Gate, BadInputExitsWith2AndNamesIt) {
  const std::string dir = fresh_dir("bad");
  write_rounds(dir + "/r", 1.0);
  json future = read_json(kFixture);
  future["schema_version"] = 2;
  write_json(dir + "/future.json", future);
  json empty = read_json(kFixture);
  empty["points"] = json::array();
  write_json(dir + "/empty.json", empty);
  json disjoint = read_json(kFixture);
  for (auto& p : disjoint["points"]) p["axes"]["batch"] = p["axes"]["batch"].get<int>() + 76, p.erase("id");
  write_json(dir + "/disjoint.json", disjoint);
  json other_gpu = read_json(kFixture);
  other_gpu["context"]["devices"][0]["name"] = "Some Other CPU";
  write_json(dir + "/other.json", other_gpu);
  json other_sweep = read_json(dir + "/r/new/round-02/report.json");
  other_sweep["context"]["settings"]["repetitions"] = 9;
  write_json(dir + "/r/new/round-02/report.json", other_sweep);
  const std::string f = kFixture;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"compare " + f + " " + dir + "/future.json", "schema version 2"},
      {"compare " + f + " " + dir + "/empty.json", "holds no points"},
      {"compare " + f + " " + dir + "/disjoint.json", "no point in common"},
      {"compare " + f + " " + dir + "/other.json", "device: '"},
      {"compare " + f + " " + f + " --threshold 0", "--threshold 0"},
      {"compare " + f + " " + f + " --threshold 150", "out of range"},
      {"compare " + f + " " + f + " --confidence 1.5", "--confidence 1.5"},
      {"compare " + f + " " + f + " --metric-threshold latency=3", "'latency'"},
      {"compare " + dir + "/r/base " + f, "needs rounds on both sides"},
      {"compare " + dir + "/r/base " + dir + "/r/new", "rounds from different sweeps"},
      {"compare " + dir + " " + dir + "/r/new", "holds no rounds"},
      {"export " + f + " --format csv", "unknown export format 'csv'"},
      {"history " + f, "at least two reports"},
  };
  for (const auto& [args, message] : cases) {
    std::string out;
    EXPECT_EQ(sh(kReport + " " + args, &out), 2) << args << "\n" << out;
    EXPECT_NE(out.find(message), std::string::npos) << args << "\n" << out;
  }
  std::string out;
  EXPECT_EQ(sh(kReport + " compare " + f + " " + dir + "/other.json --allow-context-mismatch", &out), 0) << out;
  EXPECT_NE(out.find("**Context mismatch"), std::string::npos) << out;
}

TEST(Gate, AbScriptInterleavesTwoBinariesAndRefusesBadInput) {
  const std::string dir = fresh_dir("ab");
  const std::string sweep = "--preset " + kData + "/tiny-sweep.json --models 125m:2 --phase forward --seq 8 --warmup 0";
  std::string out;
  const std::string ab = "bash " + kAb + " --rounds 2 --report " + kReport + " --out " + dir;
  EXPECT_EQ(sh(ab + " --bin " + kBench + " " + kBench + " -- " + sweep, &out), 0) << out;
  for (const char* round : {"base/round-01", "new/round-01", "base/round-02", "new/round-02"}) {
    EXPECT_TRUE(fs::exists(dir + "/" + round + "/report.json")) << round << "\n" << out;
  }
  EXPECT_EQ(read_json(dir + "/new/round-01/report.json")["context"]["settings"]["repetitions"], 1);
  EXPECT_EQ(read_json(dir + "/ab.json")["rounds"], 2);
  EXPECT_NE(out.find("Paired rounds (2)"), std::string::npos) << out;
  // A second run into the same folder refuses; --resume reuses every finished round.
  EXPECT_EQ(sh(ab + " --bin " + kBench + " " + kBench + " -- " + sweep, &out), 2);
  EXPECT_NE(out.find("--resume"), std::string::npos) << out;
  EXPECT_EQ(sh(ab + " --resume --bin " + kBench + " " + kBench + " -- " + sweep, &out), 0) << out;
  EXPECT_EQ(out.find("round 1/2"), std::string::npos) << "a finished round ran again:\n" << out;
  EXPECT_EQ(sh("bash " + kAb + " no-such-revision-xyz --out " + fresh_dir("ab2"), &out), 2);
  EXPECT_NE(out.find("unknown revision 'no-such-revision-xyz'"), std::string::npos) << out;
  EXPECT_EQ(sh("bash " + kAb + " --rounds zero HEAD", &out), 2);
  EXPECT_NE(out.find("--rounds 'zero'"), std::string::npos) << out;
}

TEST(Gate, InjectedSlowdownAndEnvironmentAreInTheReport) {
  const std::string dir = fresh_dir("inject");
  std::string out;
  ASSERT_EQ(sh(kBench + " run --preset " + kData + "/tiny-sweep.json --models 125m:2 --phase forward --seq 8 --reps 1 " +
                   "--inject-slowdown 25 --out " + dir, &out), 0) << out;
  const json report = read_json(dir + "/report.json");
  EXPECT_EQ(report["context"]["inject_slowdown_pct"], 25.0);
  bool warned = false;
  for (const auto& w : report["context"]["warnings"]) warned |= w.get<std::string>().find("TESTING ONLY") != std::string::npos;
  EXPECT_TRUE(warned);
  EXPECT_EQ(report["context"]["devices"][0]["environment_source"], "cpu: /proc");
  for (const auto& p : report["points"]) {
    const json& env = p.at("environment");
    EXPECT_TRUE(env["before"].contains("load_1m")) << env;
    for (const char* k : {"own_cpu_share", "foreign_cpu_share", "steal_share"}) EXPECT_TRUE(env["after"].contains(k)) << k;
  }
  EXPECT_EQ(sh(kBench + " run --inject-slowdown -5 --list", &out), 2) << out;
}

TEST(Gate, HistoryAndExportRunOnRealReports) {
  const std::string dir = fresh_dir("history");
  std::string out;
  json later = read_json(kFixture);
  later["context"]["started_at"] = "2099-01-01T00:00:00Z";
  write_json(dir + "/later/report.json", later);
  ASSERT_EQ(sh(kReport + " history " + kFixture + " " + dir + " --format json --out " + dir + "/h.json", &out), 0) << out;
  const json h = read_json(dir + "/h.json");
  EXPECT_EQ(h["schema"], "shishu-bench/history");
  EXPECT_EQ(h["reports"].size(), 2u);
  EXPECT_NE(h["reports"][1].get<std::string>().find("later"), std::string::npos);
  ASSERT_EQ(sh(kReport + " export " + kFixture + " --format bencher --out " + dir + "/bmf.json", &out), 0) << out;
  EXPECT_TRUE(read_json(dir + "/bmf.json").contains("forward/mobilellm-125m/fp32/cpu/eager/b1/t64"));
  ASSERT_EQ(sh(kReport + " export " + kFixture + " --format github-action-benchmark --out " + dir + "/gab", &out), 0);
  EXPECT_FALSE(read_json(dir + "/gab/smaller-is-better.json").empty());
  EXPECT_FALSE(read_json(dir + "/gab/bigger-is-better.json").empty());
}

// A report edited by hand into nonsense: every command that reads reports exits 2 and
// names the file and the place, whichever side or round it is on.
namespace {

// Every shishu-report command that reads `bad`, beside the fixture where it needs two.
std::vector<std::string> every_command(const std::string& bad) {
  const std::string f = kFixture;
  return {"table " + bad,          "arch " + bad,     "compare " + f + " " + bad, "compare " + bad + " " + f,
          "merge " + f + " " + bad, "history " + f + " " + bad, "export " + bad + " --format bencher",
          "long-context " + bad + " --memory-gb 8"};
}

}  // namespace

// Text that is no report, as a file: each command exits 2 with the file and the place
// named in our words, never the JSON library's ("[json.exception...]").
TEST(Gate, EveryCommandRefusesTextThatIsNoReportInItsOwnWords) {
  const std::string dir = fresh_dir("not-reports");
  std::filesystem::create_directories(dir);
  const std::string fixture_text = shishu::testing::slurp(kFixture);
  const auto sample_at = fixture_text.find("\"samples\": [") + 12;
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"", "empty, not JSON"},
      {"{\"schema\": ", "cut short at line 1, column 12"},
      {"\x89PNG\r\n", "not valid UTF-8 text, at line 1, column 1"},
      {fixture_text.substr(0, sample_at) + "1e400, " + fixture_text.substr(sample_at), "the number 1e400 is out of range"},
  };
  for (size_t t = 0; t < texts.size(); ++t) {
    const std::string bad = dir + "/" + std::to_string(t) + ".json";
    std::ofstream(bad, std::ios::binary) << texts[t].first;
    for (const std::string& args : every_command(bad)) {
      std::string out;
      EXPECT_EQ(sh(kReport + " " + args, &out), 2) << args << "\n" << out;
      EXPECT_NE(out.find(bad + ": "), std::string::npos) << args << "\n" << out;
      EXPECT_NE(out.find(texts[t].second), std::string::npos) << args << "\n" << out;
      EXPECT_EQ(out.find("json.exception"), std::string::npos) << args << "\n" << out;
    }
  }
  // A folder where a file is wanted is named as one; history searches folders, and
  // compare takes two folders of rounds, so they say so in their own words.
  std::filesystem::create_directories(dir + "/folder.json");
  for (const std::string& args : every_command(dir + "/folder.json")) {
    if (args.rfind("history", 0) == 0 || args.rfind("compare", 0) == 0) continue;
    std::string out;
    EXPECT_EQ(sh(kReport + " " + args, &out), 2) << args << "\n" << out;
    EXPECT_NE(out.find(dir + "/folder.json: a directory, not a file"), std::string::npos) << args << "\n" << out;
  }
}

TEST(Gate, EveryCommandNamesTheFileAndPlaceOfAnEditedReport) {
  const std::string dir = fresh_dir("edited");
  const json fixture = read_json(kFixture);
  const std::vector<std::pair<std::function<void(json&)>, std::string>> edits = {
      {[](json& r) { r["points"][0]["axes"]["batch"] = "four"; }, "points[0].axes.batch: expected an integer, found string"},
      {[](json& r) { r["context"]["git_commit"] = 7; }, "context.git_commit: expected a string, found 7"},
      {[](json& r) { r["points"][1]["metrics"]["latency_ms"]["samples"] = json::array(); },
       "points[1].metrics.latency_ms.samples: empty"},
      {[](json& r) { r["points"][1]["metrics"]["latency_ms"]["samples"][0] = -5; },
       "points[1].metrics.latency_ms.samples[0]: -5 is not a measurement: a duration must be above 0"},
  };
  for (size_t e = 0; e < edits.size(); ++e) {
    json edited = fixture;
    edits[e].first(edited);
    const std::string bad = dir + "/" + std::to_string(e) + "/report.json";
    write_json(bad, edited);
    write_rounds(dir + "/rounds" + std::to_string(e), 1.0);
    const std::string bad_round = dir + "/rounds" + std::to_string(e) + "/new/round-03/report.json";
    write_json(bad_round, edited);
    const std::string f = kFixture;
    for (const std::string& args : every_command(bad)) {
      std::string out;
      EXPECT_EQ(sh(kReport + " " + args, &out), 2) << args << "\n" << out;
      EXPECT_NE(out.find(bad + ": " + edits[e].second), std::string::npos) << args << "\n" << out;
    }
    std::string out;
    const std::string rounds = dir + "/rounds" + std::to_string(e);
    EXPECT_EQ(sh(kReport + " compare " + rounds + "/base " + rounds + "/new", &out), 2) << out;
    EXPECT_NE(out.find(bad_round + ": " + edits[e].second), std::string::npos) << out;
  }
}
