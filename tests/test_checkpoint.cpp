// Checkpoints through LibTorch: what is written reads back bit for bit, in every stored
// dtype, and a damaged file is refused before any parameter changes.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "models/checkpoint.h"
#include "models/hf_format.h"
#include "models/registry.h"

namespace fs = std::filesystem;
using namespace shishu::models;

namespace {

Transformer tiny(uint64_t seed) {
  // One full layer and one tied pair: every kind of tensor, fused and tied ones included.
  return Transformer(resolve_model("125m:1+1*2"), BuildOptions{at::kFloat, at::Device(at::kCPU), seed});
}

// A scratch folder; only the files a checkpoint holds are removed (fs::remove_all binds to
// a broken copy exported by the torch wheel's libtorch.so, and crashes, in this binary).
std::string fresh(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("shishu-checkpoint-" + name + "-" + std::to_string(::getpid()));
  for (const char* file : {"model.safetensors", "config.json"}) fs::remove(dir / file);
  return dir.string();
}

void expect_same_parameters(Transformer& a, Transformer& b, double tolerance) {
  auto pa = a->named_parameters(), pb = b->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& item : pa) {
    const double diff = (item.value() - pb[item.key()]).abs().max().item<double>();
    EXPECT_LE(diff, tolerance) << item.key();
  }
}

}  // namespace

TEST(Checkpoint, WhatIsWrittenReadsBackExactly) {
  Transformer written = tiny(1), read = tiny(2);
  const std::string dir = fresh("f32");
  save_checkpoint(written, dir, StoredDtype::kF32);
  EXPECT_TRUE(fs::exists(dir + "/config.json"));
  EXPECT_EQ(config_for_weights(dir, "").name, "125m:1+1*2");
  load_checkpoint(read, dir + "/model.safetensors");
  expect_same_parameters(written, read, 0.0);
}

TEST(Checkpoint, Bf16CheckpointsHoldTheRoundedWeights) {
  Transformer written = tiny(1), read = tiny(2), rounded = tiny(1);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : rounded->parameters()) p.copy_(p.to(at::kBFloat16).to(at::kFloat));
  }
  const std::string dir = fresh("bf16");
  save_checkpoint(written, dir, StoredDtype::kBF16);
  load_checkpoint(read, dir + "/model.safetensors");
  expect_same_parameters(rounded, read, 0.0);
}

TEST(Checkpoint, ADamagedFileLeavesTheModelUntouched) {
  Transformer written = tiny(1), target = tiny(2), untouched = tiny(2);
  const std::string dir = fresh("damaged");
  save_checkpoint(written, dir, StoredDtype::kF32);
  const std::string file = dir + "/model.safetensors";
  fs::resize_file(file, fs::file_size(file) - 100);  // the last tensor loses its end
  EXPECT_THROW(load_checkpoint(target, file), CheckpointError);
  expect_same_parameters(target, untouched, 0.0);
  // A checkpoint of another model: refused by name, before anything is read into it.
  Transformer other(resolve_model("125m:2"), BuildOptions{});
  save_checkpoint(other, dir, StoredDtype::kF32);
  try {
    load_checkpoint(target, file);
    ADD_FAILURE();
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers.1."), std::string::npos) << e.what();
  }
  expect_same_parameters(target, untouched, 0.0);
}
