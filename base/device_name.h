// A device as a value: its kind and, for CUDA, an index. Parsed once where the text
// enters (a preset, a flag, a report); everything below compares values, never strings.
// Whether this machine has the device is bench/device_info.h's rule, not this file's:
// a sweep for a GPU is listed and sharded on a machine without one.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace shishu::base {

enum class DeviceKind { kCpu, kCuda };

struct DeviceName {
  DeviceKind kind = DeviceKind::kCpu;
  // cuda:N's N; -1 for plain "cuda", the device LibTorch calls current, which
  // bench/device_info.h resolves to an index before anything runs on it.
  int index = -1;

  bool is_cuda() const { return kind == DeviceKind::kCuda; }
  std::string str() const {
    if (kind == DeviceKind::kCpu) return "cpu";
    return index < 0 ? "cuda" : "cuda:" + std::to_string(index);
  }
  bool operator==(const DeviceName& o) const { return kind == o.kind && index == o.index; }
  bool operator!=(const DeviceName& o) const { return !(*this == o); }
  bool operator<(const DeviceName& o) const { return str() < o.str(); }

  // cpu, cuda or cuda:N (N of at most four digits, so it always converts). Throws
  // std::invalid_argument naming the value.
  static DeviceName parse(std::string_view text) {
    if (text == "cpu") return {};
    if (text == "cuda") return {DeviceKind::kCuda, -1};
    const std::string_view digits = text.substr(text.rfind("cuda:", 0) == 0 ? 5 : text.size());
    if (!digits.empty() && digits.size() <= 4 && digits.find_first_not_of("0123456789") == std::string_view::npos) {
      return {DeviceKind::kCuda, std::stoi(std::string(digits))};
    }
    throw std::invalid_argument("unknown device '" + std::string(text) + "'; use cpu, cuda or cuda:N");
  }
};

}  // namespace shishu::base
