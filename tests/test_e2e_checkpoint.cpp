// End to end: checkpoints through the shishu-bench binary. export, generate and
// run --weights agree with each other, and every bad checkpoint exits 2 naming the
// tensor or field, before anything runs.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "e2e_util.h"

namespace fs = std::filesystem;

namespace {

const std::string kExe = SHISHU_BENCH_EXE;

using shishu::testing::slurp;

int run(const std::string& args, std::string* out = nullptr, std::string* err = nullptr) {
  return shishu::testing::run_exe(kExe, args, err, out);
}

std::string dir(const std::string& name) { return shishu::testing::fresh_dir("shishu-e2e-ckpt", name); }

void expect_bad(const std::string& args, const std::string& message) {
  std::string err;
  EXPECT_EQ(run(args, nullptr, &err), 2) << args << "\n" << err;
  EXPECT_NE(err.find(message), std::string::npos) << args << "\n" << err;
}

}  // namespace

TEST(CheckpointCli, ExportGenerateAndRunAgree) {
  const std::string ckpt = dir("good");
  ASSERT_EQ(run("export --model 125m:1+1*2 --seed 7 --init-std 0.1 --out " + ckpt), 0);
  std::string from_init, from_file;
  ASSERT_EQ(run("generate --model 125m:1+1*2 --seed 7 --init-std 0.1 --tokens 5,6,7 --gen 6", &from_init), 0);
  ASSERT_EQ(run("generate --weights " + ckpt + " --tokens 5,6,7 --gen 6", &from_file), 0);
  EXPECT_EQ(from_file, from_init);
  // Only the ids on stdout: six numbers.
  std::istringstream ids(from_file);
  int n = 0;
  for (long id; ids >> id;) ++n;
  EXPECT_EQ(n, 6) << from_file;

  const std::string out = dir("run");
  std::string err;
  ASSERT_EQ(run("run --weights " + ckpt + " --phase forward --seq 8 --reps 1 --out " + out, nullptr, &err), 0) << err;
  const auto report = shishu::testing::read_json(out + "/report.json");
  EXPECT_EQ(report["points"][0]["axes"]["model"], "125m:1+1*2");
  EXPECT_EQ(report["context"]["weights"]["path"], fs::absolute(ckpt + "/model.safetensors").string());
}

TEST(CheckpointCli, BadCheckpointsExitWith2AndNameTheProblem) {
  const std::string ckpt = dir("bad");
  ASSERT_EQ(run("export --model 125m:1 --out " + ckpt), 0);
  expect_bad("run --weights " + ckpt + " --models 125m:2 --list", "layout 2 vs 1");
  expect_bad("generate --weights " + ckpt + " --tokens 1,x --gen 2", "'x' is not a token id");
  expect_bad("generate --weights " + ckpt + " --tokens 1,32000 --gen 2", "'32000' is not a token id in [0, 32000)");
  expect_bad("run --weights " + dir("none") + " --list", "no such file or folder");

  // Without config.json, --models names the model; a wrong one misses tensors.
  fs::remove(ckpt + "/config.json");
  expect_bad("generate --weights " + ckpt + " --tokens 1 --gen 1", "no config.json beside it");
  expect_bad("generate --weights " + ckpt + "/model.safetensors --model 125m:2 --tokens 1 --gen 1",
             "tensor 'model.layers.1.input_layernorm.weight' is missing");
  expect_bad("generate --weights " + ckpt + " --model 125m:1+1 --tokens 1 --gen 1",
             "tensor 'model.layers.1.post_attention_layernorm.weight' is missing");

  // A truncated file, and one whose header names a dtype we do not read.
  const std::string file = ckpt + "/model.safetensors";
  fs::resize_file(file, fs::file_size(file) - 1);
  expect_bad("run --weights " + file + " --models 125m:1 --list", "model.norm.weight' reaches byte");
  std::string bytes = slurp(file);
  const auto at = bytes.find("\"F32\"");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 5, "\"I32\"");
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  expect_bad("generate --weights " + file + " --model 125m:1 --tokens 1 --gen 1", "has dtype 'I32'");
}
