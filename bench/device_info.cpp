#include "bench/device_info.h"
#include "bench/memory_room.h"

#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <ATen/Parallel.h>

#include "bench/cache_flush.h"

#ifdef SHISHU_HAS_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <cuda_runtime_api.h>
#endif

namespace shishu::bench {
namespace {

// Vendor datasheet figures (dense, no sparsity), matched by substring of the device
// name. They are leads for "percent of peak", not measurements; a report says which
// device name matched. Order matters: more specific names first.
struct KnownPeak {
  const char* name_part;
  double bf16_tflops, fp32_tflops, bandwidth_tbs;
};
constexpr KnownPeak kKnownPeaks[] = {
    {"H200", 989.0, 67.0, 4.8},
    {"H100 PCIe", 756.0, 51.0, 2.0},
    {"H100", 989.0, 67.0, 3.35},  // SXM (nvidia-smi: "NVIDIA H100 80GB HBM3")
    {"A100", 312.0, 19.5, 2.039},
    {"L4", 121.0, 30.3, 0.3},
};

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

}  // namespace

const Ceilings* DeviceInfo::measured_for(c10::ScalarType dtype) const {
  const auto it = measured.find(dtype);
  return it == measured.end() ? nullptr : &it->second;
}

double DeviceInfo::peak_flops(c10::ScalarType dtype) const {
  return dtype == c10::ScalarType::Float ? peak_fp32_flops : peak_bf16_flops;
}

std::string device_unavailable_reason(const base::DeviceName& name, int64_t cuda_device_count) {
  if (!name.is_cuda()) return "";
  if (cuda_device_count <= 0) return "no CUDA device is available here";
  if (std::max(name.index, 0) >= cuda_device_count) {
    return "this machine has " + std::to_string(cuda_device_count) + " CUDA device(s), so no " + name.str();
  }
  return "";
}

base::DeviceName resolve_device_name(const base::DeviceName& name, int64_t cuda_device_count) {
  const std::string reason = device_unavailable_reason(name, cuda_device_count);
  if (!reason.empty()) throw std::invalid_argument("device '" + name.str() + "' requested, but " + reason);
  return name.is_cuda() ? base::DeviceName{base::DeviceKind::kCuda, std::max(name.index, 0)} : name;
}

namespace {

int64_t cuda_device_count_here() {
  return torch::cuda::is_available() ? static_cast<int64_t>(torch::cuda::device_count()) : 0;
}

}  // namespace

std::string device_unavailable_reason(const base::DeviceName& name) {
  return device_unavailable_reason(name, cuda_device_count_here());
}

c10::Device resolve_device(const base::DeviceName& name) {
  return c10::Device(resolve_device_name(name, cuda_device_count_here()).str());
}

void require_resolved(const c10::Device& device, const char* who) {
  if (device.is_cuda() && !device.has_index()) {
    throw std::logic_error(std::string(who) + " was given '" + device.str() +
                           "' without an index; devices are resolved once, by bench::resolve_device");
  }
}

std::string torch_version() { return TORCH_VERSION; }

DeviceInfo probe_device(c10::Device device) {
  require_resolved(device, "probe_device");
  DeviceInfo info;
  info.kind = device.is_cuda() ? "cuda" : "cpu";
  const CacheSize cache = last_level_cache(device);
  info.last_level_cache_bytes = cache.bytes;
  info.last_level_cache_source = cache.source;
#ifdef SHISHU_HAS_CUDA
  int runtime = 0;
  if (cudaRuntimeGetVersion(&runtime) == cudaSuccess) {
    info.cuda_runtime_version = std::to_string(runtime / 1000) + "." + std::to_string(runtime % 1000 / 10);
  }
  if (device.is_cuda()) {
    const cudaDeviceProp* prop = at::cuda::getDeviceProperties(device.index());
    info.name = prop->name;
    info.compute_units = prop->multiProcessorCount;
    info.memory_bytes = static_cast<int64_t>(prop->totalGlobalMem);
    info.compute_capability = std::to_string(prop->major) + "." + std::to_string(prop->minor);
    char bus[32] = {0};
    if (cudaDeviceGetPCIBusId(bus, sizeof bus, device.index()) == cudaSuccess) info.pci_bus_id = bus;
    int driver = 0;
    if (cudaDriverGetVersion(&driver) == cudaSuccess) {
      info.driver_version = std::to_string(driver / 1000) + "." + std::to_string(driver % 1000 / 10);
    }
    for (const auto& k : kKnownPeaks) {
      if (info.name.find(k.name_part) != std::string::npos) {
        info.peak_bf16_flops = k.bf16_tflops * 1e12;
        info.peak_fp32_flops = k.fp32_tflops * 1e12;
        info.peak_bandwidth = k.bandwidth_tbs * 1e12;
        break;
      }
    }
    return info;
  }
#endif
  info.name = cpu_model();
  info.compute_units = static_cast<int>(std::thread::hardware_concurrency());
  info.torch_threads = at::get_num_threads();
  info.memory_bytes = cpu_memory_total();
  return info;
}

}  // namespace shishu::bench
