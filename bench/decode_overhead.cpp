#include "bench/decode_overhead.h"

#include <ATen/ATen.h>

#include "bench/clock.h"
#include "bench/device_info.h"
#include "models/dtype.h"
#include "models/generate.h"
#include "models/registry.h"

namespace shishu::bench {

OverheadResult measure_decode_overhead(const OverheadOptions& o) {
  at::NoGradGuard no_grad;
  const c10::Device device = resolve_device(base::DeviceName::parse(o.device));
  models::BuildOptions build{models::parse_dtype(o.dtype), device, o.seed};
  models::Transformer model(models::resolve_model(o.model), build);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  at::Tensor prompt =
      at::randint(model->config().widths.vocab, {o.batch, o.prefill}, gen, at::TensorOptions().dtype(at::kLong)).to(device);
  models::KvCache cache = model->make_cache(o.batch, o.prefill + o.gen);
  Timeline clock(device, o.gen);

  // Alternate the two measurements, repetition by repetition, so drift in clock
  // speed or background load touches both alike. The first round of each is warm-up.
  std::vector<double> generate_steps, bare_steps;
  for (int rep = 0; rep <= o.repetitions; ++rep) {
    synchronize(device);
    models::generate_greedy(model, prompt, o.gen, cache, &clock);
    const auto marks = clock.read_ms();
    // The cache now holds the prompt and G-1 decoded tokens: the bare steps below
    // recompute positions [P, P+G-1) against exactly the cache lengths the loop saw.
    at::Tensor token = prompt.narrow(1, 0, 1);  // (B, 1); the token value does not change the cost
    synchronize(device);
    Timeline bare(device, o.gen);
    bare.on_start();
    for (int64_t i = 1; i < o.gen; ++i) {
      model->forward_cached(token, cache, o.prefill + i - 1, 1);
      bare.on_token(i - 1);
    }
    const auto bare_marks = bare.read_ms();
    if (rep == 0) continue;
    for (size_t i = 1; i < marks.size(); ++i) generate_steps.push_back(marks[i] - marks[i - 1]);
    for (size_t i = 0; i < bare_marks.size(); ++i) bare_steps.push_back(bare_marks[i] - (i ? bare_marks[i - 1] : 0.0));
  }
  OverheadResult r;
  r.generate_step_ms = summarize(generate_steps);
  r.bare_step_ms = summarize(bare_steps);
  r.ratio = r.generate_step_ms.median / r.bare_step_ms.median;
  return r;
}

}  // namespace shishu::bench
