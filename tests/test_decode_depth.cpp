// Decode at depth (bench/phases/decode.cpp) fills the cache without a real prefill,
// from a short one repeated (models::fill_to_depth), on the claim that a decode step's
// cost depends on the cache's length and dtype, not on what it holds. Checked where the
// CPU can afford the real thing: the steps from a filled cache and from a real 2048-token
// prefill, interleaved, have medians inside each other's 95% intervals (the measured
// noise), for every backend that runs here. An equivalence, not a target: a loaded
// machine widens both intervals alike; three tries absorb a burst on one side.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include "bench/sampling.h"
#include "bench/stats.h"
#include "models/decode/decoder.h"
#include "models/registry.h"

using namespace shishu;

namespace {

// Step times, ms, from the marks of decode().
class StepClock : public models::TokenObserver {
 public:
  void on_start() override { last_ = std::chrono::steady_clock::now(); }
  void on_token(int64_t) override {
    const auto now = std::chrono::steady_clock::now();
    steps.push_back(std::chrono::duration<double, std::milli>(now - last_).count());
    last_ = now;
  }
  std::vector<double> steps;

 private:
  std::chrono::steady_clock::time_point last_;
};

}  // namespace

TEST(DecodeAtDepth, AFilledCacheStepsAsFastAsARealPrefills) {
  at::NoGradGuard no_grad;
  constexpr int64_t kDepth = 2048, kSteps = 8;
  models::BuildOptions o;
  o.seed = 2;
  auto model = models::Transformer(models::resolve_model("125m:4"), o);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(9);
  const at::Tensor prompt = at::randint(32000, {1, kDepth}, generator, at::TensorOptions().dtype(at::kLong));
  for (const char* name : {"eager", "fast"}) {
    const models::Backend backend = models::parse_backend(name);
    auto filled = models::make_decoder(backend, model, {1, kDepth, kSteps});
    auto real = models::make_decoder(backend, model, {1, kDepth, kSteps});
    const at::Tensor first_filled = models::fill_to_depth(model, prompt.narrow(1, 0, 64), filled->cache(), kDepth);
    at::Tensor first_real = at::empty({1}, prompt.options());
    models::prefill_first_token(model, prompt, real->cache(), first_real);
    bool within = false;
    for (int attempt = 0; attempt < 3 && !within; ++attempt) {
      StepClock a, b;
      for (int round = 0; round < 6; ++round) {  // interleaved: drift touches both alike
        filled->decode(first_filled, &a);
        real->decode(first_real, &b);
      }
      const double ma = bench::summarize(a.steps).median, mb = bench::summarize(b.steps).median;
      const double na = bench::median_noise_pct(a.steps).value_or(100), nb = bench::median_noise_pct(b.steps).value_or(100);
      const double gap_pct = 100 * std::fabs(ma - mb) / mb;
      within = gap_pct <= na + nb;
      std::cout << name << " try " << attempt << ": filled " << ma << " ms (+-" << na << "%), real prefill " << mb
                << " ms (+-" << nb << "%), gap " << gap_pct << "%\n";
    }
    EXPECT_TRUE(within) << name << ": the medians lie outside each other's 95% intervals in three tries";
  }
}
