#include "bench/gbench_driver.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <map>

#include "bench/metrics.h"
#include "bench/sampling.h"
#include "bench/stats.h"

namespace shishu::bench {
namespace {

struct Slot {
  Point point;
  PointResult result;
  bool prepared = false;
  bool failed = false;
  bool finalized = false;
  std::chrono::steady_clock::time_point started;
  SamplingState sampling = SamplingState::kSettled;  // noise-driven sampling's outcome
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

class FinalizingReporter : public benchmark::BenchmarkReporter {
 public:
  FinalizingReporter(benchmark::BenchmarkReporter* display, std::function<void(const std::string&)> finalize)
      : display_(display), finalize_(std::move(finalize)) {}

  bool ReportContext(const Context& context) override {
    const bool ok = display_->ReportContext(context);
    if (google_benchmark_build_type() == "debug") std::cerr << "shishu-bench: note: " << kGoogleBenchmarkDebugNote << "\n";
    return ok;
  }
  void ReportRuns(const std::vector<Run>& runs) override {
    display_->ReportRuns(runs);
    if (!runs.empty()) finalize_(runs.front().run_name.function_name);
  }
  void Finalize() override { display_->Finalize(); }

 private:
  benchmark::BenchmarkReporter* display_;
  std::function<void(const std::string&)> finalize_;
};

// The flag of a point whose sampling stopped at the timeout above its noise target.
std::string unsettled_flag(const PointResult& r, const NoiseRule& rule) {
  const auto& samples = r.samples.at("latency_ms");
  char reached[64] = "no 95% interval yet";
  if (const auto noise = median_noise_pct(samples)) std::snprintf(reached, sizeof reached, "%.2f%%", *noise);
  char buf[256];
  std::snprintf(buf, sizeof buf, "unsettled: noise %s after %zu samples, above the %g%% target at the %g s timeout",
                reached, samples.size(), rule.max_noise_pct, rule.timeout_s);
  return buf;
}

}  // namespace

const char* const kGoogleBenchmarkDebugNote =
    "Google Benchmark's DEBUG warning concerns the library's own timing loop, which shishu-bench does not use: "
    "every repetition is timed by shishu-bench itself (CUDA events, or the steady clock on the CPU) and handed "
    "to the library as manual time, so the library's build type changes no figure";

std::string google_benchmark_build_type() {
  // The library has no API for its build type, but its JSON reporter writes it into the
  // context it prints; ask that reporter, into a string, once.
  static const std::string type = [] {
    std::ostringstream out, err;
    benchmark::JSONReporter json;
    json.SetOutputStream(&out);
    json.SetErrorStream(&err);
    json.ReportContext(benchmark::BenchmarkReporter::Context());
    const std::string text = out.str();
    const std::string key = "\"library_build_type\": \"";
    const auto at = text.find(key);
    if (at == std::string::npos) return std::string("unknown");
    const auto start = at + key.size();
    return text.substr(start, text.find('"', start) - start);
  }();
  return type;
}

std::vector<PointResult> run_with_google_benchmark(const std::vector<Point>& points, const SweepSettings& settings,
                                                   PointRunner& runner, const PointDone& done) {
  std::vector<Slot> slots(points.size());
  std::map<std::string, size_t> by_name;
  for (size_t i = 0; i < points.size(); ++i) {
    slots[i].point = points[i];
    slots[i].result.point = points[i];
    by_name[points[i].id()] = i;
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    Slot* slot = &slots[i];
    auto body = [slot, &runner, &settings](benchmark::State& state) {
      if (slot->failed) {  // an earlier repetition failed: record nothing more
        state.SkipWithError(slot->result.message.c_str());
        return;
      }
      try {
        if (!slot->prepared) {
          slot->started = std::chrono::steady_clock::now();
          runner.prepare(slot->point);
          slot->prepared = true;
        }
        for (auto _ : state) {
          if (!settings.noise) {  // fixed count: Google Benchmark's repetitions are the samples
            runner.measure(slot->point, slot->result);
            state.SetIterationTime(slot->result.samples.at("latency_ms").back() / 1e3);
            continue;
          }
          // Noise-driven: one Google Benchmark repetition holds every sample, and the
          // library is handed their median.
          const auto first = std::chrono::steady_clock::now();
          do {
            runner.measure(slot->point, slot->result);
            slot->sampling = next_sampling_state(slot->result.samples.at("latency_ms"), seconds_since(first), *settings.noise);
          } while (slot->sampling == SamplingState::kContinue);
          state.SetIterationTime(summarize(slot->result.samples.at("latency_ms")).median / 1e3);
        }
        // This repetition's figures the metric table marks as counters, so Google
        // Benchmark's own outputs (--benchmark_out, its aggregates) carry them too.
        for (const auto& m : metrics()) {
          if (!(m.shown & kCounter)) continue;
          auto it = slot->result.samples.find(std::string(m.key));
          if (it != slot->result.samples.end()) state.counters[std::string(m.key)] = it->second.back();
        }
      } catch (const std::exception& e) {
        slot->failed = true;
        slot->result.status = classify_failure(e);
        slot->result.set_message(e.what());
        runner.release();  // frees the allocator cache after an OOM
        state.SkipWithError(slot->result.message.c_str());
      }
    };
    benchmark::RegisterBenchmark(points[i].id().c_str(), body)
        ->Iterations(1)
        ->Repetitions(settings.noise ? 1 : settings.repetitions)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->DisplayAggregatesOnly(!settings.noise && settings.repetitions > 1);
  }

  std::vector<PointResult> results;
  auto finalize = [&](const std::string& name) {
    auto it = by_name.find(name);
    if (it == by_name.end()) return;
    Slot& slot = slots[it->second];
    if (slot.finalized) return;
    slot.finalized = true;
    if (!slot.failed) {
      try {
        runner.finish(slot.point, slot.result);
        if (slot.sampling == SamplingState::kTimedOut) {
          slot.result.environment.flags.push_back(unsettled_flag(slot.result, *settings.noise));
        }
      } catch (const std::exception& e) {
        slot.result.status = classify_failure(e);
        slot.result.set_message(e.what());
      }
    }
    slot.result.elapsed_s = seconds_since(slot.started);
    results.push_back(slot.result);
    done(slot.result);
  };
  FinalizingReporter reporter(benchmark::CreateDefaultDisplayReporter(), finalize);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::ClearRegisteredBenchmarks();
  return results;
}

}  // namespace shishu::bench
