// Exact tensor memory on the CPU: a counting wrapper around LibTorch's CPU allocator,
// the CPU's counterpart of the CUDA caching allocator's statistics. It counts the bytes
// of live tensors (current and peak), where RSS also holds the LibTorch runtime, glibc's
// arenas and freed pages not yet returned. Hand-written: LibTorch has no CPU allocator
// statistics, and the wrapper is the documented way in (c10::SetCPUAllocator).
#pragma once
#include <cstdint>

namespace shishu::bench {

// Installs the counter in front of the current CPU allocator, once per process
// (later calls do nothing). Tensors allocated before it are not counted.
void install_cpu_tensor_counter();
bool cpu_tensor_counter_installed();

int64_t cpu_tensor_bytes();       // live tensor bytes now
int64_t cpu_tensor_peak_bytes();  // the most live at once since the last reset
void reset_cpu_tensor_peak();     // peak := current

}  // namespace shishu::bench
