#include "bench/environment.h"

#include <dlfcn.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#ifdef SHISHU_HAS_NVML
#include <nvml.h>
#endif

namespace shishu::bench {
namespace {

// NVML's clock-event reason bits (an ABI: nvml.h defines them; checked against it below).
struct Reason {
  unsigned long long bit;
  const char* name;
};
constexpr Reason kSlowdownReasons[] = {
    {0x4, "sw_power_cap"},      {0x8, "hw_slowdown"},         {0x20, "sw_thermal"},
    {0x40, "hw_thermal"},       {0x80, "hw_power_brake"},
};
#ifdef SHISHU_HAS_NVML
static_assert(nvmlClocksEventReasonSwPowerCap == 0x4 && nvmlClocksThrottleReasonHwSlowdown == 0x8 &&
              nvmlClocksEventReasonSwThermalSlowdown == 0x20 && nvmlClocksThrottleReasonHwThermalSlowdown == 0x40 &&
              nvmlClocksThrottleReasonHwPowerBrakeSlowdown == 0x80);
#endif

struct CpuCounters {
  double busy_s = 0, steal_s = 0, own_cpu_s = 0;
  std::chrono::steady_clock::time_point at;
};

CpuCounters read_cpu_counters() {
  CpuCounters c;
  c.at = std::chrono::steady_clock::now();
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::ifstream stat("/proc/stat");
  std::string label;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (stat >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal && label == "cpu") {
    c.busy_s = (user + nice + system + irq + softirq) / hz;
    c.steal_s = steal / hz;
  }
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  c.own_cpu_s = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  return c;
}

void read_cpu_readings(std::map<std::string, double>& out) {
  std::ifstream loadavg("/proc/loadavg");
  double load = 0;
  if (loadavg >> load) out["load_1m"] = load;
  // Frequency: the mean "cpu MHz" over cores, where the kernel reports one.
  std::ifstream cpuinfo("/proc/cpuinfo");
  double sum = 0;
  int n = 0;
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("cpu MHz", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    try {
      sum += std::stod(line.substr(colon + 1));
      ++n;
    } catch (const std::exception&) {
    }
  }
  if (n) out["cpu_mhz"] = sum / n;
}

}  // namespace

std::vector<std::string> cpu_flags(double machine_busy_s, double steal_s, double own_cpu_s, double wall_s, int cpus,
                                   std::map<std::string, double>* shares) {
  std::vector<std::string> flags;
  if (wall_s <= 0 || cpus <= 0) return flags;
  const double capacity = wall_s * cpus;
  const double foreign = std::max(0.0, machine_busy_s - own_cpu_s) / capacity;
  const double steal = std::max(0.0, steal_s) / capacity;
  if (shares) {
    (*shares)["own_cpu_share"] = own_cpu_s / capacity;
    (*shares)["foreign_cpu_share"] = foreign;
    (*shares)["steal_share"] = steal;
  }
  char buf[128];
  if (foreign > kForeignLoadShare) {
    std::snprintf(buf, sizeof buf, "foreign load: %.0f%% of the CPUs busy outside this process", 100 * foreign);
    flags.push_back(buf);
  }
  if (steal > kStealShare) {
    std::snprintf(buf, sizeof buf, "hypervisor steal: %.0f%% of the CPUs", 100 * steal);
    flags.push_back(buf);
  }
  return flags;
}

std::vector<std::string> gpu_flags(unsigned long long reasons) {
  std::string names;
  for (const auto& r : kSlowdownReasons) {
    if (reasons & r.bit) names += std::string(names.empty() ? "" : ",") + r.name;
  }
  if (names.empty()) return {};
  return {"throttled: " + names};
}

struct EnvironmentMonitor::Impl {
  std::string pci_bus_id;
  CpuCounters start;
  std::map<std::string, double> before;
  std::string source = "cpu: /proc";
#ifdef SHISHU_HAS_NVML
  void* library = nullptr;
  nvmlDevice_t device{};
  bool nvml_ok = false;
  decltype(&nvmlDeviceGetClockInfo) clock_info = nullptr;
  decltype(&nvmlDeviceGetTemperature) temperature = nullptr;
  decltype(&nvmlDeviceGetPowerUsage) power = nullptr;
  decltype(&nvmlDeviceGetCurrentClocksEventReasons) reasons = nullptr;
  decltype(&nvmlDeviceGetClock) clock_by_id = nullptr;
  decltype(&nvmlDeviceGetMaxClockInfo) max_clock = nullptr;

  template <typename F>
  F symbol(const char* name) {
    return reinterpret_cast<F>(::dlsym(library, name));
  }

  void open_nvml() {
    library = ::dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      source = "nvml: unavailable (no libnvidia-ml.so.1: no NVIDIA driver here)";
      return;
    }
    auto init = symbol<decltype(&nvmlInit_v2)>("nvmlInit_v2");
    auto by_bus = symbol<decltype(&nvmlDeviceGetHandleByPciBusId_v2)>("nvmlDeviceGetHandleByPciBusId_v2");
    auto driver = symbol<decltype(&nvmlSystemGetDriverVersion)>("nvmlSystemGetDriverVersion");
    clock_info = symbol<decltype(clock_info)>("nvmlDeviceGetClockInfo");
    temperature = symbol<decltype(temperature)>("nvmlDeviceGetTemperature");
    power = symbol<decltype(power)>("nvmlDeviceGetPowerUsage");
    clock_by_id = symbol<decltype(clock_by_id)>("nvmlDeviceGetClock");
    max_clock = symbol<decltype(max_clock)>("nvmlDeviceGetMaxClockInfo");
    reasons = symbol<decltype(reasons)>("nvmlDeviceGetCurrentClocksEventReasons");
    if (!reasons) reasons = symbol<decltype(reasons)>("nvmlDeviceGetCurrentClocksThrottleReasons");  // older drivers
    if (!init || !by_bus || init() != NVML_SUCCESS || by_bus(pci_bus_id.c_str(), &device) != NVML_SUCCESS) {
      source = "nvml: unavailable (could not open the device at PCI bus " + pci_bus_id + ")";
      return;
    }
    char version[96] = "?";
    if (driver) driver(version, sizeof version);
    source = std::string("nvml: driver ") + version;
    nvml_ok = true;
  }

  void read_gpu(std::map<std::string, double>& out, unsigned long long* mask) {
    if (!nvml_ok) return;
    unsigned int v = 0;
    if (clock_info && clock_info(device, NVML_CLOCK_SM, &v) == NVML_SUCCESS) out["sm_clock_mhz"] = v;
    if (clock_info && clock_info(device, NVML_CLOCK_MEM, &v) == NVML_SUCCESS) out["mem_clock_mhz"] = v;
    if (temperature && temperature(device, NVML_TEMPERATURE_GPU, &v) == NVML_SUCCESS) out["temperature_c"] = v;
    if (power && power(device, &v) == NVML_SUCCESS) out["power_w"] = v / 1000.0;
    unsigned long long r = 0;
    if (reasons && reasons(device, &r) == NVML_SUCCESS) {
      out["clock_event_reasons"] = static_cast<double>(r);
      *mask |= r;
    }
  }
#endif
};

EnvironmentMonitor::EnvironmentMonitor(std::string pci_bus_id) : impl_(std::make_unique<Impl>()) {
  impl_->pci_bus_id = std::move(pci_bus_id);
  if (impl_->pci_bus_id.empty()) return;
#ifdef SHISHU_HAS_NVML
  impl_->open_nvml();
#else
  impl_->source = "nvml: unavailable (built without nvml.h)";
#endif
}

EnvironmentMonitor::~EnvironmentMonitor() {
#ifdef SHISHU_HAS_NVML
  // NVML stays initialised for the process: nvmlShutdown is reference-counted per
  // nvmlInit, and other monitors may be open.
  if (impl_->library && !impl_->nvml_ok) ::dlclose(impl_->library);
#endif
}

std::string EnvironmentMonitor::source() const { return impl_->source; }

double EnvironmentMonitor::sm_clock_mhz() {
#ifdef SHISHU_HAS_NVML
  unsigned int v = 0;
  if (impl_->nvml_ok && impl_->clock_info && impl_->clock_info(impl_->device, NVML_CLOCK_SM, &v) == NVML_SUCCESS) return v;
#endif
  return 0;
}

double EnvironmentMonitor::default_sm_clock_mhz() {
#ifdef SHISHU_HAS_NVML
  unsigned int v = 0;
  if (!impl_->nvml_ok) return 0;
  if (impl_->clock_by_id &&
      impl_->clock_by_id(impl_->device, NVML_CLOCK_SM, NVML_CLOCK_ID_APP_CLOCK_DEFAULT, &v) == NVML_SUCCESS && v > 0) {
    return v;
  }
  if (impl_->max_clock && impl_->max_clock(impl_->device, NVML_CLOCK_SM, &v) == NVML_SUCCESS) return v;
#endif
  return 0;
}

std::string low_clock_flag(const std::vector<double>& sample_mhz, double default_mhz) {
  if (!(default_mhz > 0)) return "";
  std::string which;
  size_t low = 0;
  double lowest = default_mhz;
  for (size_t i = 0; i < sample_mhz.size(); ++i) {
    if (sample_mhz[i] >= kLowClockShare * default_mhz) continue;
    ++low;
    lowest = std::min(lowest, sample_mhz[i]);
    which += (which.empty() ? "" : ",") + std::to_string(i);
  }
  if (!low) return "";
  char buf[160];
  std::snprintf(buf, sizeof buf, "low clock: %zu of %zu samples below %.0f%% of the default %.0f MHz (lowest %.0f MHz): "
                "samples ", low, sample_mhz.size(), 100 * kLowClockShare, default_mhz, lowest);
  return buf + which;
}

void EnvironmentMonitor::begin() {
  impl_->before.clear();
  read_cpu_readings(impl_->before);
#ifdef SHISHU_HAS_NVML
  unsigned long long ignored = 0;
  impl_->read_gpu(impl_->before, &ignored);
#endif
  impl_->start = read_cpu_counters();
}

EnvironmentRecord EnvironmentMonitor::end() {
  const CpuCounters stop = read_cpu_counters();
  EnvironmentRecord r;
  r.before = impl_->before;
  read_cpu_readings(r.after);
  const double wall = std::chrono::duration<double>(stop.at - impl_->start.at).count();
  const int cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  r.flags = cpu_flags(stop.busy_s - impl_->start.busy_s, stop.steal_s - impl_->start.steal_s,
                      stop.own_cpu_s - impl_->start.own_cpu_s, wall, cpus, &r.after);
#ifdef SHISHU_HAS_NVML
  unsigned long long mask = 0;
  if (auto it = r.before.find("clock_event_reasons"); it != r.before.end()) mask |= static_cast<unsigned long long>(it->second);
  impl_->read_gpu(r.after, &mask);
  for (auto& f : gpu_flags(mask)) r.flags.push_back(f);
#endif
  return r;
}

}  // namespace shishu::bench
