#include "bench/ceilings.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <functional>
#include <vector>

#include "bench/clock.h"
#include "bench/device_info.h"
#include "bench/stats.h"

namespace shishu::bench {
namespace {

// Median milliseconds of `work` over the options' timed runs, after the warm-up.
double median_ms(const c10::Device& device, const CeilingOptions& o, const std::function<void()>& work) {
  for (int i = 0; i < o.warmup; ++i) work();
  std::vector<double> ms;
  for (int i = 0; i < o.repetitions; ++i) {
    synchronize(device);  // nothing queued earlier may fall inside the interval
    Timeline clock(device, 1);
    clock.on_start();
    work();
    clock.on_token(0);
    ms.push_back(clock.read_ms().at(0));  // synchronises
  }
  return summarize(ms).median;
}

}  // namespace

CeilingOptions default_ceiling_options(const c10::Device& device) {
  CeilingOptions o;
  o.copy_bytes = device.is_cuda() ? int64_t{1} << 30 : int64_t{256} << 20;
  o.matmul_n = device.is_cuda() ? 8192 : 1024;
  return o;
}

std::string Ceilings::method() const {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "copy: dst.copy_(src) of %lld MiB of random bytes, read + written counted; matmul: %lld^3 %s on random "
                "data, 2n^3 FLOPs; each the median of %d timed runs after %d warm-up runs",
                static_cast<long long>(options.copy_bytes >> 20), static_cast<long long>(options.matmul_n),
                c10::toString(matmul_dtype), options.repetitions, options.warmup);
  return buf;
}

Ceilings measure_ceilings(const c10::Device& device, c10::ScalarType matmul_dtype, const CeilingOptions& o) {
  require_resolved(device, "measure_ceilings");
  at::NoGradGuard no_grad;
  Ceilings c;
  c.options = o;
  c.matmul_dtype = matmul_dtype;
  {
    const auto bytes = at::TensorOptions().dtype(at::kByte).device(device);
    const at::Tensor src = at::randint(0, 256, {o.copy_bytes}, bytes), dst = at::empty({o.copy_bytes}, bytes);  // (bytes,)
    at::Tensor d = dst;
    const double ms = median_ms(device, o, [&] { d.copy_(src); });
    c.copy_bytes_per_s = 2.0 * static_cast<double>(o.copy_bytes) / (ms / 1e3);
  }
  {
    const auto opts = at::TensorOptions().dtype(matmul_dtype).device(device);
    const at::Tensor a = at::randn({o.matmul_n, o.matmul_n}, opts), b = at::randn({o.matmul_n, o.matmul_n}, opts);  // (n, n)
    at::Tensor out = at::empty({o.matmul_n, o.matmul_n}, opts);
    const double ms = median_ms(device, o, [&] { at::mm_out(out, a, b); });
    const double n = static_cast<double>(o.matmul_n);
    c.matmul_flops_per_s = 2.0 * n * n * n / (ms / 1e3);
  }
  return c;
}

}  // namespace shishu::bench
