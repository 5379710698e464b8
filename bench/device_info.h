// What the run measured on: device identity and, where known, its peak rates.
#pragma once
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace shishu::bench {

struct DeviceInfo {
  std::string kind;  // "cpu" or "cuda"
  std::string name;  // GPU name or CPU model
  int compute_units = 0;  // SMs or logical CPU cores
  int torch_threads = 0;  // LibTorch intra-op threads (CPU runs)
  int64_t memory_bytes = 0;
  std::string driver_version, cuda_runtime_version, compute_capability;
  std::string pci_bus_id;  // CUDA: for NVML (bench/environment.h); empty on the CPU
  // Datasheet peaks (dense matmul FLOP/s for the dtype, memory bytes/s); 0 if unknown.
  double peak_flops(c10::ScalarType dtype) const;
  double peak_bandwidth = 0;
  double peak_bf16_flops = 0, peak_fp32_flops = 0;
};

DeviceInfo probe_device(c10::Device device);

// Throws std::invalid_argument naming `name` unless it is cpu, cuda or cuda:N. Checks the
// spelling only, so sweeps for a GPU can be listed and sharded on a machine without one.
void check_device_name(const std::string& name);

// Why work on the (well-spelled) device `name` cannot run on this machine, e.g. "no CUDA
// device is available here"; empty when it can.
std::string device_unavailable_reason(const std::string& name);

// Throws std::invalid_argument if `device` is misspelled or not usable here ("cuda"
// without a GPU).
c10::Device parse_device(const std::string& name);

std::string torch_version();

}  // namespace shishu::bench
