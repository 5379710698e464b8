// Behaviour of the LibTorch model on the CPU, on tiny configs, against independent
// references: a naive fp64 forward, the full forward pass, and closed-form counts.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <ATen/autocast_mode.h>
#include <torch/autograd.h>

#include "models/analytic.h"
#include "models/dtype.h"
#include "models/generate.h"
#include "naive_reference.h"
#include "tiny_model.h"

using namespace shishu;
using shishu::testing::relative_error;
using shishu::testing::tiny_model;

namespace {

at::Tensor random_tokens(int64_t batch, int64_t len, int64_t vocab, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return at::randint(vocab, {batch, len}, gen, at::TensorOptions().dtype(at::kLong));
}

// Logits of positions [0, T) computed incrementally: a prefill of `prefill` tokens,
// then one token per decode step through the KV cache.
at::Tensor incremental_logits(models::Transformer& m, const at::Tensor& tokens, int64_t prefill) {
  const int64_t T = tokens.size(1);
  models::KvCache cache = m->make_cache(tokens.size(0), T);
  std::vector<at::Tensor> parts = {m->forward_cached(tokens.narrow(1, 0, prefill), cache, 0, prefill)};
  for (int64_t t = prefill; t < T; ++t) parts.push_back(m->forward_cached(tokens.narrow(1, t, 1), cache, t, 1));
  return at::cat(parts, 1);
}

}  // namespace

TEST(Model, ForwardMatchesNaiveFp64Reference) {
  at::NoGradGuard no_grad;
  auto m = tiny_model();
  at::Tensor tokens = random_tokens(1, 12, 97, 1);
  // fp32 against fp64 through 5 layers: rounding alone stays near 1e-6.
  EXPECT_LT(relative_error(m->forward(tokens), shishu::testing::naive_forward(*m, tokens)), 2e-5);
}

// The cached path must reproduce the full forward. Tolerances are per dtype because the
// two paths round differently (different matmul shapes and accumulation order):
// fp32 ~1e-6 (we allow 1e-5); fp16 has a 2^-11 unit roundoff, bf16 2^-8, and an error
// of a few units compounds over the layers, so 1e-2 and 4e-2.
class IncrementalDecode : public ::testing::TestWithParam<std::pair<c10::ScalarType, double>> {};

TEST_P(IncrementalDecode, ReproducesFullForwardLogits) {
  at::NoGradGuard no_grad;
  const auto [dtype, tolerance] = GetParam();
  auto m = tiny_model(dtype);
  at::Tensor tokens = random_tokens(2, 16, 97, 2);
  at::Tensor full = m->forward(tokens);  // (2, 16, V)
  EXPECT_LT(relative_error(incremental_logits(m, tokens, 5), full), tolerance);
  EXPECT_LT(relative_error(incremental_logits(m, tokens, 1), full), tolerance);
}

INSTANTIATE_TEST_SUITE_P(PerDtype, IncrementalDecode,
                         ::testing::Values(std::make_pair(c10::ScalarType::Float, 1e-5),
                                           std::make_pair(c10::ScalarType::Half, 1e-2),
                                           std::make_pair(c10::ScalarType::BFloat16, 4e-2)));

// A block of several queries after cached tokens needs a bottom-right-aligned causal
// mask; is_causal alone would be wrong here.
TEST(Model, QueryBlockAgainstLongerCacheMatchesFullForward) {
  at::NoGradGuard no_grad;
  auto m = tiny_model();
  at::Tensor tokens = random_tokens(1, 14, 97, 3);
  at::Tensor full = m->forward(tokens);
  models::KvCache cache = m->make_cache(1, 14);
  m->forward_cached(tokens.narrow(1, 0, 4), cache, 0, 4);
  at::Tensor block = m->forward_cached(tokens.narrow(1, 4, 6), cache, 4, 6);  // positions 4..9
  EXPECT_LT(relative_error(block, full.narrow(1, 4, 6)), 1e-5);
  at::Tensor last = m->forward_cached(tokens.narrow(1, 10, 4), cache, 10, 1);  // only position 13's logits
  EXPECT_LT(relative_error(last, full.narrow(1, 13, 1)), 1e-5);
}

TEST(Model, BlockCausalMaskAlignsBottomRight) {
  at::Tensor mask = models::block_causal_mask(2, 3, c10::Device(c10::DeviceType::CPU));
  at::Tensor expected = at::tensor({1, 1, 1, 1, 0, 1, 1, 1, 1, 1}).view({2, 5}).to(at::kBool);
  EXPECT_TRUE(mask.equal(expected));
}

TEST(Model, ChangingALaterTokenLeavesEarlierLogitsUnchanged) {
  at::NoGradGuard no_grad;
  auto m = tiny_model();
  at::Tensor a = random_tokens(1, 10, 97, 4);
  at::Tensor b = a.clone();
  b[0][6] = (a[0][6].item<int64_t>() + 1) % 97;
  at::Tensor la = m->forward(a), lb = m->forward(b);
  EXPECT_TRUE(at::allclose(la.narrow(1, 0, 6), lb.narrow(1, 0, 6), 0.0, 1e-6));
  // ...and the change is visible from its own position on, so the check can fail.
  EXPECT_FALSE(at::allclose(la.narrow(1, 6, 4), lb.narrow(1, 6, 4), 0.0, 1e-3));
}

TEST(Model, RotaryTableGoesPast2048Positions) {
  models::RotaryTable table(16, 10000.0, at::TensorOptions().dtype(at::kDouble));
  auto [cos, sin] = table.range(4090, 6);
  ASSERT_EQ(cos.size(0), 6);
  for (int64_t t = 0; t < 6; ++t) {
    for (int64_t i = 0; i < 8; ++i) {
      const double angle = (4090 + t) * std::pow(10000.0, -2.0 * i / 16);
      EXPECT_NEAR(cos[t][i].item<double>(), std::cos(angle), 1e-9);
      EXPECT_NEAR(cos[t][i + 8].item<double>(), std::cos(angle), 1e-9);
      EXPECT_NEAR(sin[t][i].item<double>(), std::sin(angle), 1e-9);
    }
  }
}

TEST(Model, MlpOnlyLayersAllocateNoKvCache) {
  auto m = tiny_model(c10::ScalarType::Float, 7, "2+1+1*2");
  models::KvCache cache = m->make_cache(3, 40);
  EXPECT_EQ(cache.attention_layers(), 2);  // the three MLP-only layers hold nothing
  EXPECT_EQ(cache.bytes(), models::kv_bytes_per_token(m->config(), 4) * 3 * 40);
  EXPECT_EQ(cache.bytes(), 2 /*K,V*/ * 2 /*layers*/ * 3 * 2 /*kv heads*/ * 40 * 16 * 4);
}

TEST(Model, TiedPairSharesOneStorage) {
  auto m = tiny_model(c10::ScalarType::Float, 7, "2+1+1*2");
  EXPECT_EQ(m->mlp_sets.size(), 2u);  // 3 MLP-only layers, 2 parameter sets
  EXPECT_EQ(m->unique_parameter_count(), models::count_params(m->config()).total);
  auto untied = tiny_model(c10::ScalarType::Float, 7, "2+3");
  EXPECT_EQ(untied->unique_parameter_count() - m->unique_parameter_count(),
            models::count_params(m->config()).per_mlp_set);
}

// The tied model's shared gradient must equal the sum of the two gradients an untied
// copy with identical weights gets for its two layers.
TEST(Model, TiedPairAccumulatesGradientsOfBothUses) {
  auto tied = tiny_model(c10::ScalarType::Float, 7, "2+1+1*2");
  auto untied = tiny_model(c10::ScalarType::Float, 8, "2+3");
  {
    at::NoGradGuard no_grad;
    untied->embedding.copy_(tied->embedding);
    untied->final_norm->weight.copy_(tied->final_norm->weight);
    for (size_t i = 0; i < tied->layers.size(); ++i) {
      auto src = tied->layers[i]->named_parameters(), dst = untied->layers[i]->named_parameters();
      for (const auto& p : src) dst[p.key()].copy_(p.value());
    }
    const int source_set[3] = {0, 1, 1};
    for (int i = 0; i < 3; ++i) {
      auto src = tied->mlp_sets[source_set[i]]->named_parameters(), dst = untied->mlp_sets[i]->named_parameters();
      for (const auto& p : src) dst[p.key()].copy_(p.value());
    }
  }
  at::Tensor tokens = random_tokens(2, 9, 97, 5);
  for (auto* m : {&tied, &untied}) {
    at::Tensor logits = (*m)->forward(tokens);
    at::cross_entropy_loss(logits.narrow(1, 0, 8).reshape({-1, 97}), tokens.narrow(1, 1, 8).reshape({-1})).backward();
  }
  EXPECT_LT(relative_error(untied->embedding.grad(), tied->embedding.grad()), 1e-5);  // same function
  for (const char* name : {"mlp.gate_up", "mlp.down", "norm.weight"}) {
    at::Tensor shared = tied->mlp_sets[1]->named_parameters()[name].grad();
    at::Tensor first = untied->mlp_sets[1]->named_parameters()[name].grad();
    at::Tensor second = untied->mlp_sets[2]->named_parameters()[name].grad();
    EXPECT_LT(relative_error(shared, first + second), 1e-5) << name;
    EXPECT_GT(relative_error(shared, first), 1e-2) << name << ": one use alone must not match";
  }
}

TEST(Model, SameSeedSameWeightsAndLogits) {
  at::NoGradGuard no_grad;
  auto a = tiny_model(c10::ScalarType::Float, 11), b = tiny_model(c10::ScalarType::Float, 11);
  auto c = tiny_model(c10::ScalarType::Float, 12);
  auto pa = a->parameters(), pb = b->parameters(), pc = c->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(pa[i].equal(pb[i])) << i;
  at::Tensor tokens = random_tokens(1, 8, 97, 6);
  EXPECT_TRUE(a->forward(tokens).equal(b->forward(tokens)));
  EXPECT_FALSE(pa[0].equal(pc[0]));
}

// Greedy generation through the cache must pick the tokens a naive loop picks by
// re-running the full forward over the growing sequence.
TEST(Model, GreedyGenerationMatchesFullRecompute) {
  at::NoGradGuard no_grad;
  auto m = tiny_model();
  at::Tensor prompt = random_tokens(2, 6, 97, 7);
  models::KvCache cache = m->make_cache(2, 6 + 8);
  at::Tensor generated = models::generate_greedy(m, prompt, 8, cache);  // (G, B)
  at::Tensor seq = prompt;
  for (int i = 0; i < 8; ++i) {
    at::Tensor next = m->forward(seq).select(1, seq.size(1) - 1).argmax(-1);  // (B)
    EXPECT_TRUE(next.equal(generated[i])) << "token " << i;
    seq = at::cat({seq, next.unsqueeze(1)}, 1);
  }
}

TEST(Model, GenerationCountsEveryToken) {
  struct Counter : models::TokenObserver {
    int starts = 0;
    std::vector<int64_t> seen;
    void on_start() override { ++starts; }
    void on_token(int64_t i) override { seen.push_back(i); }
  } counter;
  at::NoGradGuard no_grad;
  auto m = tiny_model();
  models::KvCache cache = m->make_cache(1, 9);
  models::generate_greedy(m, random_tokens(1, 4, 97, 8), 5, cache, &counter);
  EXPECT_EQ(counter.starts, 1);
  EXPECT_EQ(counter.seen, (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

// amp_bf16: fp32 master weights, matmuls under bf16 autocast. The logits come out of a
// bf16 matmul, agree with the fp32 model to bf16 precision (8 mantissa bits: about 4e-3
// relative per rounding, a few of them in series), yet are not the fp32 numbers; the
// weights and their gradients stay fp32.
TEST(Model, AmpBf16RunsMatmulsInBf16OverFp32Weights) {
  auto m = tiny_model();
  const models::Precision amp = models::parse_precision("amp_bf16");
  ASSERT_TRUE(amp.autocast());
  at::Tensor tokens = at::randint(97, {2, 12}, at::TensorOptions().dtype(at::kLong));
  at::Tensor reference;
  {
    at::NoGradGuard no_grad;
    reference = m->forward(tokens);
  }
  at::Tensor logits;
  {
    models::AutocastScope autocast(at::kCPU, amp);
    logits = m->forward(tokens);
  }
  EXPECT_EQ(logits.scalar_type(), at::kBFloat16);
  const double err = relative_error(logits, reference);
  EXPECT_LT(err, 3e-2);
  EXPECT_GT(err, 1e-6);  // really another precision
  logits.to(at::kFloat).sum().backward();
  for (const auto& p : m->parameters()) {
    EXPECT_EQ(p.scalar_type(), at::kFloat);
    EXPECT_EQ(p.grad().scalar_type(), at::kFloat);
  }
  // The scope restored the state it found.
  EXPECT_FALSE(at::autocast::is_autocast_enabled(at::kCPU));
  EXPECT_EQ(m->forward(tokens).scalar_type(), at::kFloat);
}

// At depth on the CPU, single-token attention splits the cache into parts and combines
// them by their log-sum-exps (models/positions.cpp): the same attention as the whole
// cache's, with and without a key mask, for lengths that do and do not divide evenly,
// and with a part the mask hides whole.
TEST(Model, SplitCacheAttentionIsTheWholeCachesAttention) {
  at::manual_seed(4);
  for (auto dtype : {at::kFloat, at::kBFloat16}) {
    for (int64_t keys : {1024, 3001, 5120}) {
      const auto opts = at::TensorOptions().dtype(dtype);
      const at::Tensor q = at::randn({2, 9, 1, 64}, opts);  // (B, H, 1, D), 3 KV heads
      const at::Tensor k = at::randn({2, 3, keys, 64}, opts), v = at::randn({2, 3, keys, 64}, opts);
      at::Tensor mask = at::arange(keys).view({1, 1, 1, keys}) < keys / 3;  // the last parts hidden whole
      for (const std::optional<at::Tensor>& m : {std::optional<at::Tensor>(), std::optional<at::Tensor>(mask)}) {
        const at::Tensor ours = models::single_token_attention(q, k, v, m);
        const at::Tensor grouped = q.reshape({2, 3, 3, 64});
        const at::Tensor whole = at::scaled_dot_product_attention(grouped, k, v, m).reshape({2, 9, 1, 64});
        const double tol = dtype == at::kFloat ? 1e-5 : 2e-2;
        EXPECT_LT(relative_error(ours, whole), tol) << c10::toString(dtype) << " keys " << keys << " mask " << m.has_value();
        EXPECT_FALSE(ours.isnan().any().item<bool>());
      }
    }
  }
}
