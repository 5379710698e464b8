// What the run measured on: device identity and, where known, its peak rates.
#pragma once
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <map>
#include <string>

#include "base/device_name.h"
#include "bench/ceilings.h"

namespace shishu::bench {

struct DeviceInfo {
  std::string kind;  // "cpu" or "cuda"
  std::string name;  // GPU name or CPU model
  int compute_units = 0;  // SMs or logical CPU cores
  int torch_threads = 0;  // LibTorch intra-op threads (CPU runs)
  int64_t memory_bytes = 0;
  std::string driver_version, cuda_runtime_version, compute_capability;
  std::string pci_bus_id;  // CUDA: for NVML (bench/environment.h); empty on the CPU
  int64_t last_level_cache_bytes = 0;  // what --l2-flush sizes its buffer by (bench/cache_flush.h)
  std::string last_level_cache_source;
  // Datasheet peaks (dense matmul FLOP/s for the dtype, memory bytes/s); 0 if unknown.
  double peak_flops(c10::ScalarType dtype) const;
  double peak_bandwidth = 0;
  double peak_bf16_flops = 0, peak_fp32_flops = 0;
  // Measured on this device in this run (bench/ceilings.h), per matmul dtype; empty when
  // not measured. Figures are set against these beside the datasheet's.
  std::map<c10::ScalarType, Ceilings> measured;
  const Ceilings* measured_for(c10::ScalarType dtype) const;
};

DeviceInfo probe_device(c10::Device device);

// The one device rule. `name` on a machine with `cuda_device_count` CUDA devices: why it
// cannot run there ("" when it can), and the name it resolves to, with the index always
// explicit ("cuda" is "cuda:0", the device LibTorch calls current by default). The count
// is passed in, so the rule is tested without a GPU.
std::string device_unavailable_reason(const base::DeviceName& name, int64_t cuda_device_count);
// Throws std::invalid_argument where the device is not usable.
base::DeviceName resolve_device_name(const base::DeviceName& name, int64_t cuda_device_count);

// The same with this machine's device count.
std::string device_unavailable_reason(const base::DeviceName& name);

// The device a point runs on, resolved once (cuda -> cuda:N): every CUDA device below
// this has an index, never -1. Throws std::invalid_argument if it is not usable here
// ("cuda" without a GPU).
c10::Device resolve_device(const base::DeviceName& name);

// Throws std::logic_error unless `device` went through resolve_device (a CUDA device with
// no index): the allocator's statistics, the device's properties and its streams are
// per index, and -1 is not one. Called by every consumer of a point's device.
void require_resolved(const c10::Device& device, const char* who);

std::string torch_version();

}  // namespace shishu::bench
