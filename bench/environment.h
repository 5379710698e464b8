// The machine's state around each point, so a figure measured while the machine was
// busy with something else, or slowed itself down, is marked rather than trusted.
//
//  CPU:  the 1-minute load average, the machine's CPU time spent outside this process
//        (foreign load) and by the hypervisor (steal), this process's share of the CPUs,
//        and the clock frequency where /proc/cpuinfo gives it;
//  CUDA: SM and memory clocks, temperature, power and the clock-event (throttle)
//        reasons, through NVML. NVML is loaded from the driver at run time (dlopen), so a
//        binary built with its header still runs where no driver is installed.
// Torch-free: the caller names the device by kind and PCI bus id.
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shishu::bench {

struct EnvironmentRecord {
  std::map<std::string, double> before, after;  // readings at the point's start and end
  std::vector<std::string> flags;               // why the point's figures are suspect, if they are
  bool empty() const { return before.empty() && after.empty() && flags.empty(); }
};

// Thresholds for the flags; above them a point is marked.
inline constexpr double kForeignLoadShare = 0.10;  // of all CPUs, busy outside this process
inline constexpr double kStealShare = 0.05;        // of all CPUs, taken by the hypervisor

class EnvironmentMonitor {
 public:
  // pci_bus_id: the CUDA device's, for NVML; empty for the CPU.
  explicit EnvironmentMonitor(std::string pci_bus_id = "");
  ~EnvironmentMonitor();
  void begin();             // the reading before the point
  EnvironmentRecord end();  // the reading after it, the shares over the interval, and flags
  // "cpu: /proc", "nvml: <driver>" or "nvml: unavailable (<why>)": for the report's context.
  std::string source() const;
  // The GPU's SM clock now, and its default (the application clock it runs at unless
  // throttled; else its maximum), in MHz: 0 where NVML cannot say (the CPU, no driver).
  // Cheap (one NVML call), so it is read around every timed sample.
  double sm_clock_mhz();
  double default_sm_clock_mhz();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Flags from CPU counters over an interval (pure, for tests): busy and steal are the
// machine's jiffy deltas, own_cpu_s this process's CPU seconds, wall_s the interval.
std::vector<std::string> cpu_flags(double machine_busy_s, double steal_s, double own_cpu_s, double wall_s, int cpus,
                                   std::map<std::string, double>* shares);
// Flags from an NVML clock-event reason mask (pure, for tests).
std::vector<std::string> gpu_flags(unsigned long long reasons);

// Samples taken below this share of the default SM clock are flagged, by index.
inline constexpr double kLowClockShare = 0.75;
// The flag for the samples (SM clock per sample, MHz) below kLowClockShare of `default_mhz`;
// empty when none is (pure, for tests).
std::string low_clock_flag(const std::vector<double>& sample_mhz, double default_mhz);
// Warm-up goes on while the SM clock still moves by more than this share between runs.
inline constexpr double kSteadyClockShare = 0.02;

}  // namespace shishu::bench
