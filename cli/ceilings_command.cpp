#include "cli/ceilings_command.h"

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "base/utf8.h"
#include "bench/ceilings.h"
#include "bench/device_info.h"
#include "models/dtype.h"

namespace shishu::cli {

void add_ceilings_options(CLI::App& app, CeilingsOptions& o) {
  app.add_option("--device", o.device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--dtype", o.dtype, "The matmul's dtype: fp32, bf16, fp16")->capture_default_str();
  app.add_option("--copy-mib", o.copy_mib, "Copy buffer size in MiB (default: 1024 on CUDA, 256 on the CPU)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  app.add_option("--matmul-n", o.matmul_n, "Matmul size n (n x n x n; default: 8192 on CUDA, 1024 on the CPU)")
      ->check(CLI::Range(int64_t{16}, int64_t{65536}));
  app.add_option("--reps", o.repetitions, "Timed runs of each, after 3 warm-up runs")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_flag("--json", o.json, "Print JSON");
}

int run_ceilings_command(const CeilingsOptions& o) {
  const c10::Device device = bench::resolve_device(base::DeviceName::parse(o.device));
  const c10::ScalarType dtype = models::parse_dtype(o.dtype);
  bench::CeilingOptions options = bench::default_ceiling_options(device);
  if (o.copy_mib) options.copy_bytes = o.copy_mib << 20;
  if (o.matmul_n) options.matmul_n = o.matmul_n;
  options.repetitions = o.repetitions;
  const bench::Ceilings c = bench::measure_ceilings(device, dtype, options);
  const bench::DeviceInfo info = bench::probe_device(device);
  if (o.json) {
    std::cout << base::json_text({{"device", device.str()},
                                  {"name", info.name},
                                  {"copy_bytes_per_s", c.copy_bytes_per_s},
                                  {"matmul_flops_per_s", c.matmul_flops_per_s},
                                  {"matmul_dtype", o.dtype},
                                  {"datasheet_bandwidth_bytes_per_s", info.peak_bandwidth},
                                  {"datasheet_matmul_flops_per_s", info.peak_flops(dtype)},
                                  {"method", c.method()}},
                                 2)
              << "\n";
    return 0;
  }
  std::printf("%s (%s)\n", base::valid_utf8(info.name).c_str(), device.str().c_str());
  auto against = [](double measured, double datasheet) {
    return datasheet > 0 ? " (" + std::to_string(static_cast<int>(100.0 * measured / datasheet + 0.5)) + "% of the datasheet)"
                         : std::string(" (no datasheet figure for this device)");
  };
  std::printf("copy bandwidth: %.1f GB/s%s\n", c.copy_bytes_per_s / 1e9,
              against(c.copy_bytes_per_s, info.peak_bandwidth).c_str());
  std::printf("matmul %s: %.2f TFLOP/s%s\n", o.dtype.c_str(), c.matmul_flops_per_s / 1e12,
              against(c.matmul_flops_per_s, info.peak_flops(dtype)).c_str());
  std::printf("method: %s\n", c.method().c_str());
  return 0;
}

}  // namespace shishu::cli
