// `shishu-bench ceilings`: the device's measured copy and matmul ceilings
// (bench/ceilings.h), printed with their method; `--json` for a script.
#pragma once
#include <CLI/CLI.hpp>

#include <string>

namespace shishu::cli {

struct CeilingsOptions {
  std::string device = "cpu";
  std::string dtype = "bf16";  // the matmul's
  int64_t copy_mib = 0, matmul_n = 0;  // 0: the device's defaults
  int repetitions = 10;
  bool json = false;
};

void add_ceilings_options(CLI::App& app, CeilingsOptions& o);
int run_ceilings_command(const CeilingsOptions& o);

}  // namespace shishu::cli
