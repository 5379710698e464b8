#include "cli/overhead_command.h"

#include <cstdio>

namespace shishu::cli {

void add_overhead_options(CLI::App& overhead, bench::OverheadOptions& o) {
  overhead.add_option("--model", o.model, "Registry name or <base>:<layout>")->capture_default_str();
  overhead.add_option("--dtype", o.dtype)->capture_default_str();
  overhead.add_option("--device", o.device)->capture_default_str();
  overhead.add_option("--batch", o.batch)->capture_default_str()->check(CLI::PositiveNumber);
  overhead.add_option("--prefill", o.prefill)->capture_default_str()->check(CLI::PositiveNumber);
  overhead.add_option("--gen", o.gen)->capture_default_str()->check(CLI::Range(2, 1 << 20));
  overhead.add_option("--reps", o.repetitions)->capture_default_str()->check(CLI::PositiveNumber);
}

int run_overhead_command(const bench::OverheadOptions& o) {
  const auto r = bench::measure_decode_overhead(o);
  std::printf("%s %s %s, batch %lld, prefill %lld, %lld new tokens, %d repetitions (+1 warm-up)\n", o.model.c_str(),
              o.dtype.c_str(), o.device.c_str(), static_cast<long long>(o.batch), static_cast<long long>(o.prefill),
              static_cast<long long>(o.gen), o.repetitions);
  std::printf("decode step inside generate: median %.3f ms (p90 %.3f, n %lld)\n", r.generate_step_ms.median,
              r.generate_step_ms.p90, static_cast<long long>(r.generate_step_ms.n));
  std::printf("bare forward_cached step:    median %.3f ms (p90 %.3f, n %lld)\n", r.bare_step_ms.median,
              r.bare_step_ms.p90, static_cast<long long>(r.bare_step_ms.n));
  std::printf("ratio: %.3f\n", r.ratio);
  return 0;
}

}  // namespace shishu::cli
