// A new phase is one row: a second generating phase, declared in this file alone, goes
// through the sweep's crossing, --list, a run, the journal, --resume and the tables,
// with nothing else changed. Before the phase rows, a second generating phase was written
// to JSON with a seq axis and refused on reading back, so its journal and --resume broke.
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <sstream>

#include "bench/gbench_driver.h"
#include "bench/phase.h"
#include "bench/preset.h"
#include "bench/sweep.h"
#include "cli/point_list.h"
#include "cli/run_folder.h"
#include "models/decode/decoder.h"
#include "reports/efficiency_tables.h"
#include "reports/journal.h"
#include "reports/loaded_report.h"
#include "reports/report_json.h"

using namespace shishu;
using bench::Axis;

namespace {

// Generation twice over from one prompt: the second pass's latency is what it records.
class GenerateTwice : public bench::PreparedPhase {
 public:
  GenerateTwice(const bench::PhaseContext& c, const bench::Point& p) {
    at::NoGradGuard no_grad;
    prompt_ = bench::point_tokens(p, p.axis(Axis::kPrefill), c.config.widths.vocab, c.seed, c.device);
    decoder_ = models::make_decoder(p.mode, c.model, {p.batch(), p.axis(Axis::kPrefill), p.axis(Axis::kGen)});
  }
  void run(bench::Timeline& clock, bench::PointResult* result) override {
    at::NoGradGuard no_grad;
    decoder_->generate(prompt_, nullptr);
    decoder_->generate(prompt_, &clock);
    const std::vector<double> marks = clock.read_ms();
    if (result) result->add_sample("latency_ms", marks.back());
  }

 private:
  at::Tensor prompt_;
  std::unique_ptr<models::Decoder> decoder_;
};

bench::Prediction predict(const models::ModelConfig&, const bench::Point& p) {
  bench::Prediction r;
  r.tokens = double(p.batch() * p.axis(Axis::kGen));
  return r;
}

const bench::PhaseHooks kHooks{
    [](const bench::Point& p) -> int64_t { return p.axis(Axis::kGen); },
    [](const bench::PhaseContext& c, const bench::Point& p) -> std::unique_ptr<bench::PreparedPhase> {
      return std::make_unique<GenerateTwice>(c, p);
    },
    predict};

[[maybe_unused]] const bool kRegistered = bench::register_phase(
    {"generate_twice",
     {"twice"},
     "generation from one prompt twice; the second is timed (a phase of tests/test_phase_extension.cpp)",
     {{Axis::kBatch}, {Axis::kPrefill}, {Axis::kGen, 2, "a decode step needs gen >= 2"}},
     {Axis::kPrefill, Axis::kGen},
     /*takes_backend=*/true,
     /*cold_cache=*/false,
     /*mixed_precision=*/false,
     /*changes_weights=*/false,
     &kHooks});

const char* kSweep = R"({
  "name": "extension", "warmup": 0, "repetitions": 1,
  "defaults": {"models": "125m:1+1*2", "dtype": "fp32", "device": "cpu", "mode": "eager,fast", "batch": 1},
  "grids": [{"phase": "twice", "prefill": 4, "gen": "2,3"}, {"phase": "forward", "seq": 8}]
})";

std::set<std::string> ids(const std::vector<bench::PointResult>& results) {
  std::set<std::string> out;
  for (const auto& r : results) out.insert(r.point.id());
  return out;
}

}  // namespace

TEST(PhaseExtension, ASecondGeneratingPhaseDeclaredHereRunsJournalsResumesAndTabulates) {
  const bench::Sweep sweep = bench::parse_sweep(kSweep, "extension.json");
  const std::vector<bench::Point> points = bench::expand(sweep);
  // Crossed with the backend axis, as its row says; forward takes none and runs once.
  std::set<std::string> expected = {"generate_twice/125m:1+1*2/fp32/cpu/eager/b1/p4/g2",
                                    "generate_twice/125m:1+1*2/fp32/cpu/eager/b1/p4/g3",
                                    "generate_twice/125m:1+1*2/fp32/cpu/fast/b1/p4/g2",
                                    "generate_twice/125m:1+1*2/fp32/cpu/fast/b1/p4/g3",
                                    "forward/125m:1+1*2/fp32/cpu/eager/b1/t8"};
  std::set<std::string> listed_ids;
  for (const auto& p : points) listed_ids.insert(p.id());
  EXPECT_EQ(listed_ids, expected);

  std::ostringstream listed, counts;
  cli::print_point_list(points, listed, counts);
  for (const auto& id : expected) EXPECT_NE(listed.str().find(id + "\n"), std::string::npos) << listed.str();
  EXPECT_NE(counts.str().find("5 can run here"), std::string::npos) << counts.str();

  // A fresh name (mkdtemp), then the folder itself is the run's to make. Not
  // std::filesystem::remove_all: in a program linked with LibTorch that call resolves to
  // the copy libtorch.so exports, which crashes here.
  char name[] = "/tmp/shishu-phase-extension-XXXXXX";
  ASSERT_NE(::mkdtemp(name), nullptr);
  const std::string dir = std::string(name) + "/run";
  const nlohmann::json identity = cli::run_identity(sweep, points, 0, "");
  ASSERT_EQ(cli::open_run_folder(dir, "", sweep, identity, nullptr), dir);
  std::vector<char*> argv = {const_cast<char*>("test")};
  int argc = 1;
  benchmark::Initialize(&argc, argv.data());
  bench::PointRunner runner(sweep.settings);
  std::vector<bench::PointResult> results;
  {
    reports::Journal journal(dir + "/journal.jsonl");
    // Only the first three run now; the rest is left for --resume.
    const std::vector<bench::Point> first(points.begin(), points.begin() + 3);
    results = bench::run_with_google_benchmark(first, sweep.settings, runner,
                                               [&](const bench::PointResult& r) { journal.append(r); });
  }
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) EXPECT_EQ(r.status, bench::Status::kOk) << r.point.id() << ": " << r.message;

  // --resume reads the journal back: the new phase's points keep their prefill and gen.
  std::vector<bench::PointResult> finished;
  ASSERT_EQ(cli::open_run_folder("", dir, sweep, identity, &finished), dir);
  EXPECT_EQ(ids(finished), ids(results));
  for (const auto& r : finished) {
    if (r.point.phase != "generate_twice") continue;
    EXPECT_EQ(r.point.axis(Axis::kPrefill), 4);
    EXPECT_TRUE(r.point.has(Axis::kGen));
    EXPECT_FALSE(r.point.has(Axis::kSeq));
  }
  const std::vector<bench::Point> rest(points.begin() + 3, points.end());
  for (const auto& r : bench::run_with_google_benchmark(rest, sweep.settings, runner, [](const bench::PointResult&) {})) {
    finished.push_back(r);
  }
  EXPECT_EQ(ids(finished), expected);

  // The report reads back, and the phase gets a table over its last axis.
  const auto report = reports::report_from_json(reports::make_report({{"host", "h"}}, finished), "r.json");
  const std::string text = reports::render(reports::efficiency_tables(report), reports::parse_table_format("md"));
  EXPECT_NE(text.find("### Latency of generate_twice"), std::string::npos) << text;
  EXPECT_NE(text.find(" gen 2 |"), std::string::npos) << text;
  EXPECT_NE(text.find(" gen 3 |"), std::string::npos) << text;
  EXPECT_NE(text.find("fp32, cpu, fast, batch 1, prefill 4"), std::string::npos) << text;
  EXPECT_EQ(std::system(("rm -rf " + std::string(name)).c_str()), 0);
}
