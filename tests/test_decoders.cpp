// The decoder wing (models/decode/): every backend that runs on the CPU decodes the same
// greedy tokens as the reference loop, for every family (full layers only, untied
// MLP-only layers, tied pairs); the registry and the torch-free table agree; and what
// cannot run here says why.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "models/decode/backends.h"
#include "models/decode/decoder.h"
#include "tiny_model.h"

using namespace shishu;

namespace {

// init std 0.5: random weights whose greedy tokens vary, so equal tokens mean something.
models::Transformer varied_model(const char* layout) {
  models::BuildOptions o;
  o.seed = 11;
  o.init_std = 0.5;
  return models::Transformer(shishu::testing::tiny_config(layout), o);
}

}  // namespace

TEST(Decoders, EveryCpuBackendMatchesTheReferenceTokens) {
  at::NoGradGuard no_grad;
  for (const char* layout : {"4", "2+2", "2+1*2"}) {
    auto model = varied_model(layout);
    const at::Tensor prompt = at::randint(97, {3, 6}, at::TensorOptions().dtype(at::kLong));  // (B, P)
    models::KvCache cache = model->make_cache(3, 6 + 10);
    const at::Tensor reference = models::generate_greedy(model, prompt, 10, cache);  // (G, B)
    ASSERT_GT(std::get<0>(at::_unique(reference)).numel(), 3) << layout << ": the tokens barely vary";
    int compared = 0;
    for (const auto& backend : models::backend_table()) {
      if (!models::decoder_unavailable(backend.name, model->options().device).empty()) continue;
      auto decoder = models::make_decoder(backend.name, model, {3, 6, 10});
      EXPECT_TRUE(decoder->generate(prompt).equal(reference)) << layout << " " << backend.name;
      EXPECT_TRUE(decoder->generate(prompt).equal(reference)) << layout << " " << backend.name << ", second call";
      ++compared;
    }
    EXPECT_EQ(compared, 2) << "eager and fast run on the CPU";
  }
}

TEST(Decoders, TheRegistryCoversTheTableAndSaysWhyNot) {
  const c10::Device cpu(c10::DeviceType::CPU), cuda(c10::DeviceType::CUDA, 0);
  for (const auto& backend : models::backend_table()) {
    const std::string on_cuda = models::decoder_unavailable(backend.name, cuda);
    if (backend.peer) {
      EXPECT_NE(on_cuda.find("peer"), std::string::npos) << backend.name;
    } else {
      EXPECT_EQ(on_cuda, "") << backend.name << " has no factory";
    }
  }
  EXPECT_EQ(models::decoder_unavailable("cuda_graphs", cpu), "cuda_graphs needs a CUDA device");
  EXPECT_EQ(models::backend_traits("graphs").name, std::string("cuda_graphs"));
  EXPECT_THROW(models::backend_traits("turbo"), std::invalid_argument);
  auto model = varied_model("2+1*2");
  EXPECT_THROW(models::make_decoder("cuda_graphs", model, {1, 4, 4}), std::runtime_error);
}
