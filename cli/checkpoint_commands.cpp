#include "cli/checkpoint_commands.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include <iostream>

#include "bench/device_info.h"
#include "bench/phase.h"
#include "cli/command_line.h"
#include "cli/output_target.h"
#include "models/checkpoint.h"
#include "models/dtype.h"
#include "models/generate.h"
#include "models/hf_format.h"

namespace shishu::cli {
namespace {

void add_model_options(CLI::App& app, CheckpointOptions& o) {
  app.add_option("--model", o.model, "Model spec (registry name or <base>:<layout>), or a config.json or its folder");
  app.add_option("--dtype", o.dtype, "fp32, bf16, fp16")->capture_default_str();
  app.add_option("--device", o.device, "cpu, cuda")->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the random init (when no --weights)")->capture_default_str();
  app.add_option("--init-std", o.init_std,
                 "Std of the random init (HF's initializer_range); about 0.1 gives random models whose greedy "
                 "tokens vary, for parity tests")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 10.0));
}

void add_weights_option(CLI::App& app, CheckpointOptions& o) {
  app.add_option("--weights", o.weights, "Checkpoint: a folder with model.safetensors (+ config.json) or a .safetensors file");
}

// The model, with its checkpoint's weights when one is given, else the seeded init.
models::Transformer build_model(const CheckpointOptions& o) {
  if (o.model.empty() && o.weights.empty()) throw std::invalid_argument("name a model with --model, or give --weights");
  const models::ModelConfig config =
      o.weights.empty() ? models::resolve_model_or_config(o.model) : models::config_for_weights(o.weights, o.model);
  const models::BuildOptions build{models::parse_dtype(o.dtype), bench::resolve_device(base::DeviceName::parse(o.device)), o.seed, o.init_std};
  models::Transformer model(config, build);
  if (!o.weights.empty()) models::load_checkpoint(model, models::locate_checkpoint(o.weights).weights);
  return model;
}

// "1,2,3" -> (1, 3) int64 on the model's device; each id within the vocabulary.
at::Tensor parse_tokens(const std::string& text, const models::Transformer& model) {
  std::vector<int64_t> ids;
  const int64_t vocab = model->config().widths.vocab;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    size_t used = 0;
    int64_t id = -1;
    try {
      id = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || id < 0 || id >= vocab) {
      throw std::invalid_argument("--tokens: '" + item + "' is not a token id in [0, " + std::to_string(vocab) + ")");
    }
    ids.push_back(id);
    start = comma + 1;
  }
  return at::tensor(ids, at::kLong).unsqueeze(0).to(model->options().device);
}

}  // namespace

void add_export_options(CLI::App& app, CheckpointOptions& o) {
  add_model_options(app, o);
  app.add_option("--out", o.out, "Folder for model.safetensors and config.json")->required()->check(writable_folder());
}

void add_generate_options(CLI::App& app, CheckpointOptions& o) {
  add_model_options(app, o);
  add_weights_option(app, o);
  app.add_option("--tokens", o.tokens, "Prompt token ids, comma-separated, e.g. 1,2,3")->required();
  app.add_option("--gen", o.gen, "New tokens to generate")->required()->check(CLI::Range(1, 1 << 20));
}

void add_evaluate_options(CLI::App& app, CheckpointOptions& o) {
  add_model_options(app, o);
  add_weights_option(app, o);
  app.add_option("--tokens", o.tokens, "One sequence of token ids, comma-separated")->required();
  app.add_flag("--backward", o.backward, "Also the next-token loss and each tensor's gradient norm (HF names)");
  app.add_option("--out", o.out, "Output .safetensors file")->required()->check(writable_file());
}

int run_export_command(const CheckpointOptions& o) {
  if (!o.weights.empty()) throw std::invalid_argument("export writes a model's seeded init; it takes no --weights");
  models::Transformer model = build_model(o);
  models::save_checkpoint(model, o.out, models::stored_dtype(models::parse_dtype(o.dtype)));
  std::cerr << "shishu-bench: wrote " << o.out << "/model.safetensors and config.json (" << model->config().name
            << ", " << o.dtype << ", seed " << o.seed << ", init std " << o.init_std << ")\n";
  return kExitOk;
}

int run_generate_command(const CheckpointOptions& o) {
  models::Transformer model = build_model(o);
  const at::Tensor prompt = parse_tokens(o.tokens, model);  // (1, P)
  at::NoGradGuard no_grad;
  models::KvCache cache = model->make_cache(1, prompt.size(1) + o.gen);
  const at::Tensor generated = models::generate_greedy(model, prompt, o.gen, cache).to(at::kCPU);  // (G, 1)
  for (int64_t i = 0; i < o.gen; ++i) std::cout << (i ? " " : "") << generated[i][0].item<int64_t>();
  std::cout << "\n";
  return kExitOk;
}

int run_evaluate_command(const CheckpointOptions& o) {
  models::Transformer model = build_model(o);
  const at::Tensor tokens = parse_tokens(o.tokens, model);  // (1, T)
  std::vector<std::pair<std::string, at::Tensor>> out;
  if (!o.backward) {
    at::NoGradGuard no_grad;
    out.emplace_back("logits", model->forward(tokens)[0].to(at::kFloat));  // (T, V)
  } else {
    if (tokens.size(1) < 2) throw std::invalid_argument("--backward needs at least two tokens (a next-token loss)");
    at::Tensor loss = bench::next_token_loss(model, tokens);
    loss.backward();
    out.emplace_back("loss", loss.detach().to(at::kFloat).reshape({1}));
    std::map<std::string, at::Tensor> params;
    for (const auto& item : model->named_parameters()) params[item.key()] = item.value();
    for (const auto& t : models::hf_tensors(model->config())) {
      const at::Tensor grad = params.at(t.ours).grad().narrow(0, t.row_begin, t.shape[0]);
      out.emplace_back("grad_norm." + t.name, grad.to(at::kDouble).norm().to(at::kFloat).reshape({1}));
    }
  }
  models::write_safetensors(o.out, out, {{"model", model->config().name}, {"tokens", o.tokens}});
  return kExitOk;
}

}  // namespace shishu::cli
