// GPU-only behaviour (label "gpu"). Each test skips, not fails, without a CUDA device;
// ctest reports the skips (the GoogleTest module marks GTEST_SKIP as skipped).
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <fstream>

#include "bench/ceilings.h"
#include "bench/device_info.h"
#include "bench/memory_snapshot.h"
#include "models/decode/decoder.h"
#include "models/generate.h"
#include "tiny_model.h"

using namespace shishu;
using shishu::testing::relative_error;
using shishu::testing::tiny_model;

namespace {

const c10::Device kCuda(c10::DeviceType::CUDA, 0);

#define REQUIRE_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device"

at::Tensor cuda_tokens(int64_t batch, int64_t len, int64_t vocab, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return at::randint(vocab, {batch, len}, gen, at::TensorOptions().dtype(at::kLong)).to(kCuda);
}

}  // namespace

TEST(Gpu, KvCacheDecodeMatchesFullForward) {
  REQUIRE_CUDA();
  at::NoGradGuard no_grad;
  // Same tolerances and reasoning as the CPU test; cuBLAS may use TF32-free fp32 here.
  for (auto [dtype, tol] : {std::pair{c10::ScalarType::Float, 1e-4}, std::pair{c10::ScalarType::BFloat16, 4e-2}}) {
    auto m = tiny_model(dtype, 7, "2+1+1*2", kCuda);
    at::Tensor tokens = cuda_tokens(2, 16, 97, 1);
    at::Tensor full = m->forward(tokens);
    models::KvCache cache = m->make_cache(2, 16);
    std::vector<at::Tensor> parts = {m->forward_cached(tokens.narrow(1, 0, 5), cache, 0, 5)};
    for (int64_t t = 5; t < 16; ++t) parts.push_back(m->forward_cached(tokens.narrow(1, t, 1), cache, t, 1));
    EXPECT_LT(relative_error(at::cat(parts, 1), full), tol) << c10::toString(dtype);
  }
}

// Graph replay must generate exactly the eager tokens. fp32 keeps argmax ties (which
// differently-ordered bf16 sums could flip) out of the comparison.
// Every decode backend against the reference loop, on the GPU, where cuda_graphs and
// fast capture their step in a CUDA graph.
TEST(Gpu, EveryDecodeBackendMatchesEagerTokens) {
  REQUIRE_CUDA();
  at::NoGradGuard no_grad;
  auto m = tiny_model(c10::ScalarType::Float, 7, "2+1+1*2", kCuda);
  at::Tensor prompt = cuda_tokens(3, 7, 97, 2);
  models::KvCache eager_cache = m->make_cache(3, 7 + 12);
  at::Tensor eager = models::generate_greedy(m, prompt, 12, eager_cache);
  for (const char* backend : {"cuda_graphs", "fast"}) {
    auto decoder = models::make_decoder(models::parse_backend(backend), m, {3, 7, 12});
    EXPECT_TRUE(decoder->generate(prompt).equal(eager)) << backend;
    EXPECT_TRUE(decoder->generate(prompt).equal(eager)) << backend << ": second replay of the same graph";
  }
}

TEST(Gpu, TiedPairGradientsAccumulateOnCuda) {
  REQUIRE_CUDA();
  auto tied = tiny_model(c10::ScalarType::Float, 7, "2+1*2", kCuda);
  auto cpu = tiny_model(c10::ScalarType::Float, 7, "2+1*2");
  at::Tensor tokens = cuda_tokens(2, 9, 97, 3);
  for (auto* m : {&tied, &cpu}) {
    at::Tensor t = tokens.to((*m)->options().device);
    at::Tensor logits = (*m)->forward(t);
    at::cross_entropy_loss(logits.narrow(1, 0, 8).reshape({-1, 97}), t.narrow(1, 1, 8).reshape({-1})).backward();
  }
  // The same weights (same seed) on both devices: the CUDA gradient of the shared set
  // must match the CPU one, which TiedPairAccumulatesGradientsOfBothUses checks
  // against an untied copy.
  for (const char* name : {"mlp.gate_up", "mlp.down", "norm.weight"}) {
    EXPECT_LT(relative_error(tied->mlp_sets[0]->named_parameters()[name].grad(),
                             cpu->mlp_sets[0]->named_parameters()[name].grad()),
              1e-4)
        << name;
  }
}

// The allocator snapshot (run --memory-snapshot): PyTorch's pickle, with the allocation
// made while recording in it, and the device's figures and ceilings resolved on cuda:0.
TEST(Gpu, MemorySnapshotAndCeilingsOnTheDevice) {
  REQUIRE_CUDA();
  const std::string path = ::testing::TempDir() + "/shishu-snapshot.pickle";
  bench::MemorySnapshot snapshot;
  snapshot.start();
  at::Tensor t = at::empty({int64_t{3} << 20}, at::TensorOptions().dtype(at::kByte).device(kCuda));  // 3 MiB
  snapshot.stop_and_write(path);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(bytes.size(), 100u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x80);  // a pickle's PROTO opcode
  EXPECT_NE(bytes.find("segments"), std::string::npos);
  EXPECT_NE(bytes.find("device_traces"), std::string::npos);

  const bench::DeviceInfo info = bench::probe_device(bench::resolve_device(base::DeviceName::parse("cuda")));
  EXPECT_GT(info.memory_bytes, 0);
  bench::CeilingOptions small{int64_t{64} << 20, 1024, 1, 3};
  const bench::Ceilings c = bench::measure_ceilings(bench::resolve_device(base::DeviceName::parse("cuda")), at::kBFloat16, small);
  EXPECT_GT(c.copy_bytes_per_s, 1e10);  // any CUDA GPU copies faster than 10 GB/s
  EXPECT_GT(c.matmul_flops_per_s, 1e11);
}
