// The phases through their own interface (bench/phase.h): a training step applies
// exactly AdamW's first update, and the predictions follow the precision's storage.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include <c10/core/CPUAllocator.h>

#include "bench/cpu_tensor_memory.h"
#include "bench/phase.h"
#include "models/analytic.h"
#include "tiny_model.h"

using namespace shishu;

namespace {

bench::Point point(const std::string& phase, const std::string& dtype) {
  bench::Point p;
  p.model = "tiny";
  p.phase = phase;
  p.shape = {{bench::Axis::kBatch, 2}, {bench::Axis::kSeq, 12}};
  p.dtype = models::parse_dtype_name(dtype);
  return p;
}

}  // namespace

// AdamW's first step, by hand: with bias correction the moments are g and g^2, so each
// weight moves to w (1 - lr wd) - lr g / (|g| + eps).
TEST(Phases, TrainStepAppliesAdamWsFirstUpdate) {
  const models::ModelConfig config = shishu::testing::tiny_config();
  models::Transformer model = shishu::testing::tiny_model();
  std::map<std::string, at::Tensor> before;
  for (const auto& item : model->named_parameters()) before[item.key()] = item.value().detach().clone();
  const bench::Point p = point("train_step", "fp32");
  const auto& hooks = bench::phase_hooks(p.phase);
  auto phase = hooks.prepare({model, config, at::Device(at::kCPU), models::parse_precision("fp32"), 3}, p);
  bench::Timeline clock(at::Device(at::kCPU), hooks.marks(p));
  phase->run(clock, nullptr);
  const double lr = bench::kTrainLearningRate, wd = 1e-2, eps = 1e-8;
  for (const auto& item : model->named_parameters()) {
    const at::Tensor& w0 = before.at(item.key());
    const at::Tensor g = item.value().grad();
    ASSERT_TRUE(g.defined()) << item.key();
    const at::Tensor expected = w0 * (1 - lr * wd) - lr * g / (g.abs() + eps);
    EXPECT_LT((item.value() - expected).abs().max().item<double>(), 1e-6) << item.key();
    EXPECT_GT((item.value() - w0).abs().max().item<double>(), 1e-4) << item.key() << " did not move";
  }
  EXPECT_TRUE(bench::phase_row(p.phase).changes_weights);
}

TEST(Phases, PredictionsFollowThePrecisionsStorage) {
  const models::ModelConfig config = shishu::testing::tiny_config();
  const double weights32 = double(models::weight_bytes(config, 4));
  const auto train = bench::phase_hooks("train_step").predict(config, point("train_step", "amp_bf16"));
  const double weights16 = double(models::weight_bytes(config, 2));
  EXPECT_EQ(train.weight_bytes, weights32 + weights16);  // fp32 master weights and autocast's bf16 copies
  EXPECT_EQ(train.grad_bytes, weights32);
  EXPECT_EQ(train.optimizer_bytes, 2 * weights32);
  EXPECT_GT(train.activation_bytes, 0);
  const auto fwd = bench::phase_hooks("forward").predict(config, point("forward", "bf16"));
  const auto fwd_amp = bench::phase_hooks("forward").predict(config, point("forward", "amp_bf16"));
  EXPECT_EQ(fwd.weight_bytes * 3, fwd_amp.weight_bytes);  // 2 B each in bf16; 4 + 2 B under amp_bf16
  EXPECT_EQ(fwd.logits_bytes, fwd_amp.logits_bytes);  // logits come out of a bf16 matmul either way
  EXPECT_EQ(fwd.logits_bytes, 2.0 * 12 * config.widths.vocab * 2);
  // Generation does not mix precisions: the point is skipped.
  EXPECT_FALSE(bench::phase_row("generate").mixed_precision);
}

// The counting CPU allocator counts exactly the bytes of live tensors.
TEST(CpuTensorMemory, CountsLiveTensorBytesExactly) {
  bench::install_cpu_tensor_counter();
  ASSERT_TRUE(bench::cpu_tensor_counter_installed());
  const int64_t before = bench::cpu_tensor_bytes();
  bench::reset_cpu_tensor_peak();
  {
    at::Tensor a = at::empty({1000}, at::kFloat);
    at::Tensor b = at::empty({10, 10}, at::kDouble);
    EXPECT_EQ(bench::cpu_tensor_bytes() - before, 4000 + 800);
  }
  EXPECT_EQ(bench::cpu_tensor_bytes(), before);
  EXPECT_EQ(bench::cpu_tensor_peak_bytes() - before, 4800);
  bench::reset_cpu_tensor_peak();
  EXPECT_EQ(bench::cpu_tensor_peak_bytes(), before);
}

// LibTorch's raw allocation path (oneDNN takes its bf16 matmul buffers through it) asks
// that a DataPtr's context be its data pointer and frees through raw_deleter() alone. The
// counter once broke that, and every bf16 point on the CPU failed with an internal assert.
TEST(CpuTensorMemory, RawAllocationsAndBf16WorkUnderTheCounter) {
  bench::install_cpu_tensor_counter();
  ASSERT_TRUE(bench::cpu_tensor_counter_installed());
  c10::Allocator* allocator = c10::GetCPUAllocator();
  const int64_t before = bench::cpu_tensor_bytes();
  void* raw = allocator->raw_allocate(1000);
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(raw) % 64, 0u);  // the default allocator's alignment, kept
  EXPECT_EQ(bench::cpu_tensor_bytes() - before, 1000);
  allocator->raw_deallocate(raw);
  EXPECT_EQ(bench::cpu_tensor_bytes(), before);
  // A bf16 forward of the tiny model, every layer kind, under the counter.
  models::Transformer model = shishu::testing::tiny_model(at::kBFloat16);
  at::NoGradGuard no_grad;
  const at::Tensor logits = model->forward(at::randint(0, 97, {2, 12}, at::kLong));  // (B, T, V)
  EXPECT_EQ(logits.scalar_type(), at::kBFloat16);
  EXPECT_TRUE(logits.isfinite().all().item<bool>());
}

// bench/phases.json is what shishu-report, the torch-free tests and the fuzz targets
// register; it must be this build's registry. After a change to a phase's row, regenerate
// it with `build/release/cli/shishu-bench phases --json > bench/phases.json`.
TEST(Phases, TheCompiledInDeclarationsAreTheRegistrys) {
  std::ifstream in(SHISHU_SOURCE_DIR "/bench/phases.json");
  ASSERT_TRUE(in) << SHISHU_SOURCE_DIR "/bench/phases.json";
  EXPECT_EQ(nlohmann::json::parse(in), bench::phase_rows_json());
}
