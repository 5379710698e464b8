#!/usr/bin/env python3
"""Hugging Face transformers as a peer, in the same report: the points of a shishu-bench
report run again through transformers, written with ours into one report of our schema,
so that `shishu-report table` and `arch` print our decode backends and the stack people
actually use side by side.

  scripts/peer_hf.py REPORT.json --bench SHISHU_BENCH --out PEER.json [--backends hf-eager,hf-compiled]
                     [--points REGEX]   (only the eager points whose id matches)

Backends (the mode axis, as in models/decode/backends.h):
  hf-eager     transformers' generate with its dynamic cache: the paper's stack
  hf-compiled  generate with the static cache and the forward compiled by torch.compile
               ("reduce-overhead", CUDA graphs on a GPU), as transformers documents it

Models: each point's weights are ours, exported with the report's seed (`shishu-bench
export`), so both stacks run the same numbers. MobileLLM layouts load as transformers'
own LlamaForCausalLM. ShishuLM layouts, for which transformers has no class, are a
LlamaForCausalLM whose top layers are replaced by MLP-only layers made of its own
LlamaRMSNorm and LlamaMLP (a tied pair: one module in two places), which ignore the cache.

Timing, per point: the report's warm-up runs, then its repetitions, each a fresh
generate (or forward) bracketed by a device synchronisation and a steady clock:
  generate  max_new_tokens=G (EOS disabled, as ours), with a streamer that timestamps
            each token as transformers hands it over (on the host: the device is done
            with it). latency_ms: the whole call; ttft_ms: to the first token;
            decode_step_ms: between consecutive tokens, pooled as ours; throughput_tok_s:
            B (G - 1) over the time from the first token to the last
  forward   latency_ms: model(input_ids) under inference_mode, logits included
Training phases and points of our other backends are not re-run. Before timing a model,
its greedy tokens from a short prompt are checked against `shishu-bench generate`
(context.peer.same_greedy_tokens): in fp32 a difference is an error, since the peer
would not be computing our function. Exit status: 0; 1 when a model does not load or
differs; 2 for bad input, refused before torch is imported (a report that is not ours or
lacks a field it needs, an unknown backend, --points that select nothing, an --out or
--bench that cannot be used), or before any model loads (a model our export refuses, a
device torch does not have). The report is written whole or not at all.
"""
import argparse
import copy
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import script_input as si  # noqa: E402

BACKENDS = ("hf-eager", "hf-compiled")
DTYPES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}
# What this script reads of a report, beyond what every script reads.
REPORT = dict(si.REPORT, context={"settings?": {"warmup?": si.whole(0), "repetitions?": si.COUNT, "seed?": si.whole(0)}})


class PeerError(Exception):
    """A failure once the work has begun (exit 1): an export, a model, a differing token."""


def bad(message):
    si.refuse("peer_hf", message)


def parse_layout(text):
    """'20+7*2' -> (20, [2]*7). tests/parity/hf_parity.py keeps its own reading on purpose:
    a parity test that shared this code could not catch a mistake in it."""
    parts = text.split("+")
    sets = []
    for term in parts[1:]:
        count, _, tie = term.partition("*")
        sets += [int(tie or 1)] * int(count)
    return int(parts[0]), sets


def load_model(folder, dtype, device):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    from transformers.models.llama import modeling_llama as hf
    from safetensors.torch import load_file

    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    torch_dtype = getattr(torch, DTYPES[dtype])
    layout = config.get("shishu_layout")
    if not layout:
        model = LlamaForCausalLM.from_pretrained(folder, torch_dtype=torch_dtype)
    else:
        full, sets = parse_layout(layout)
        state = load_file(os.path.join(folder, "model.safetensors"))
        fields = {k: v for k, v in config.items() if k not in ("shishu_layout", "architectures", "model_type")}
        model = LlamaForCausalLM(LlamaConfig(**fields)).to(torch_dtype)

        class MlpOnlyLayer(torch.nn.Module):
            """out = x + MLP(Norm(x)): no attention, so the cache is left alone."""

            def __init__(self, norm, mlp):
                super().__init__()
                self.post_attention_layernorm, self.mlp = norm, mlp

            def forward(self, hidden_states, *args, **kwargs):
                return hidden_states + self.mlp(self.post_attention_layernorm(hidden_states))

        lc = model.config
        layers = list(model.model.layers[:full])
        index = full
        for tie in sets:
            prefix = f"model.layers.{index}."
            norm, mlp = hf.LlamaRMSNorm(lc.hidden_size, eps=lc.rms_norm_eps), hf.LlamaMLP(lc)
            norm.weight.data.copy_(state[prefix + "post_attention_layernorm.weight"])
            mlp.load_state_dict({k[len(prefix + "mlp."):]: v for k, v in state.items() if k.startswith(prefix + "mlp.")})
            layer = MlpOnlyLayer(norm, mlp).to(torch_dtype)
            layers += [layer] * tie
            index += tie
        model.model.layers = torch.nn.ModuleList(layers)
        kept = {k: v for k, v in state.items() if not any(k.startswith(f"model.layers.{i}.") for i in range(full, index))}
        missing, unexpected = model.load_state_dict(kept, strict=False)
        left = [k for k in missing if not k.startswith("model.layers.") and k != "lm_head.weight"]
        if left or unexpected:
            raise PeerError(f"{folder}: weights do not fit (missing {left}, unexpected {unexpected})")
        model.tie_weights()
    model.generation_config.eos_token_id = None  # EOS never stops generation, as in ours
    model.generation_config.pad_token_id = 0
    return model.to(device).eval()


def sync(device):
    import torch
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(device, work):
    sync(device)
    start = time.perf_counter()
    work()
    sync(device)
    return (time.perf_counter() - start) * 1e3


class TokenClock:
    """A generate() streamer that only timestamps: transformers hands it the prompt, then
    each new token as it is chosen (already on the host, so the device is done with it)."""

    def __init__(self):
        self.marks = []

    def put(self, value):
        self.marks.append(time.perf_counter())

    def end(self):
        pass


def measure(model, point, backend, settings, seed):
    import torch
    axes = point["axes"]
    device, batch = axes["device"], axes["batch"]
    g = torch.Generator().manual_seed(seed)
    vocab = model.config.vocab_size
    samples = {}
    with torch.inference_mode():
        if axes["phase"] == "forward":
            ids = torch.randint(vocab, (batch, axes["seq"]), generator=g).to(device)
            run = lambda: model(input_ids=ids)  # noqa: E731
            for _ in range(settings["warmup"]):
                run()
            samples["latency_ms"] = [timed(device, run) for _ in range(settings["repetitions"])]
            return samples
        ids = torch.randint(vocab, (batch, axes["prefill"]), generator=g).to(device)
        gen = axes["gen"]
        extra = {"cache_implementation": "static"} if backend == "hf-compiled" else {}
        clock = TokenClock()

        def generate():
            clock.marks = []
            start = time.perf_counter()
            model.generate(ids, max_new_tokens=gen, min_new_tokens=gen, do_sample=False, streamer=clock, **extra)
            sync(device)
            return start, time.perf_counter()

        for _ in range(settings["warmup"]):
            generate()
        for key in ("latency_ms", "ttft_ms", "decode_step_ms", "throughput_tok_s"):
            samples[key] = []
        for _ in range(settings["repetitions"]):
            start, end = generate()
            tokens = clock.marks[1:]  # marks[0] is the prompt, handed over before the prefill
            if len(tokens) != gen:
                raise PeerError(f"{point['id']}: generate reported {len(tokens)} tokens, not {gen}")
            total, ttft = (end - start) * 1e3, (tokens[0] - start) * 1e3
            samples["latency_ms"].append(total)
            samples["ttft_ms"].append(ttft)
            samples["decode_step_ms"] += [(b - a) * 1e3 for a, b in zip(tokens, tokens[1:])]
            if gen >= 2:
                samples["throughput_tok_s"].append(batch * (gen - 1) / ((tokens[-1] - tokens[0]) or 1e-9))
        return {k: v for k, v in samples.items() if v}


def same_tokens(bench, folder, model, axes):
    """The peer computes our function: its greedy tokens from a short prompt equal ours."""
    import torch
    prompt = torch.randint(model.config.vocab_size, (1, 8), generator=torch.Generator().manual_seed(1))
    done = subprocess.run([bench, "generate", "--weights", folder, "--dtype", axes["dtype"], "--device", axes["device"],
                           "--tokens", ",".join(map(str, prompt[0].tolist())), "--gen", "8"], capture_output=True, text=True)
    if done.returncode != 0:
        raise PeerError(f"shishu-bench generate failed: {done.stderr}")
    ours = [int(t) for t in done.stdout.split()]
    with torch.inference_mode():
        theirs = model.generate(prompt.to(axes["device"]), max_new_tokens=8, min_new_tokens=8, do_sample=False)
    return ours == theirs[0, 8:].tolist()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report")
    parser.add_argument("--bench", required=True, help="the shishu-bench binary (exports our weights)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--points", default="", help="only points whose id matches this regular expression")
    args = parser.parse_args()
    backends = args.backends.split(",")
    for b in backends:
        if b not in BACKENDS:
            bad(f"--backends '{args.backends}': '{b}' is not one of {', '.join(BACKENDS)}")
    if len(set(backends)) != len(backends):
        bad(f"--backends '{args.backends}': a backend is named twice")
    try:
        chosen = re.compile(args.points)
    except re.error as e:
        bad(f"--points '{args.points}': {e}")
    if not (os.path.isfile(args.bench) and os.access(args.bench, os.X_OK)):
        bad(f"--bench '{args.bench}' is not an executable")
    si.writable_file("peer_hf", "--out", args.out)
    report = si.read_json("peer_hf", args.report, REPORT)
    if report["context"].get("peer"):
        bad(f"{args.report} already holds peer points (written by peer_hf.py): give it the report of ours")
    wanted = [p for p in report["points"] if p["status"] == "ok" and p["axes"]["mode"] == "eager"
              and p["axes"]["phase"] in ("forward", "generate") and chosen.search(p["id"])]
    if not wanted:
        bad(f"--points '{args.points}' selects none of {args.report}'s ok eager forward and generate points")
    for p in wanted:
        if p["axes"]["dtype"] not in DTYPES:
            bad(f"{p['id']}: dtype '{p['axes']['dtype']}' is not one of {', '.join(DTYPES)}")
    si.need_modules("peer_hf", "torch", "transformers", "safetensors")

    import torch
    import transformers

    for device in sorted({p["axes"]["device"] for p in wanted}):
        try:
            torch.empty(0, device=device)
        except (RuntimeError, AssertionError) as e:  # no such device: torch asserts or raises
            bad(f"device '{device}' (of {sum(p['axes']['device'] == device for p in wanted)} points) is not here: {e}")
    settings = dict(report["context"].get("settings", {}))
    settings.setdefault("warmup", 1)
    settings["repetitions"] = settings.get("repetitions", 3)
    seed = int(settings.get("seed", 0))
    peer_points, checks = [], {}
    with tempfile.TemporaryDirectory(prefix="peer-hf-") as tmp:
        # Every model is exported before any loads: one our export refuses (exit 2) is bad
        # input, found before any measurement.
        folders = {}
        for point in wanted:
            axes = point["axes"]
            key = (axes["model"], axes["dtype"], axes["device"])
            if key in folders:
                continue
            folders[key] = os.path.join(tmp, str(len(folders)))
            done = subprocess.run([args.bench, "export", "--model", axes["model"], "--dtype", axes["dtype"],
                                   "--seed", str(seed), "--out", folders[key]], capture_output=True, text=True)
            if done.returncode == 2:
                bad(f"{point['id']}: shishu-bench export refuses model '{axes['model']}': {done.stderr.strip()}")
            if done.returncode != 0:
                raise PeerError(f"export of {axes['model']} failed: {done.stderr}")
        models = {}
        for n, point in enumerate(wanted):
            axes = point["axes"]
            key = (axes["model"], axes["dtype"], axes["device"])
            if key not in models:
                folder = folders[key]
                models[key] = load_model(folder, axes["dtype"], axes["device"])
                match = same_tokens(args.bench, folder, models[key], axes)
                checks[f"{axes['model']} {axes['dtype']} {axes['device']}"] = match
                if not match and axes["dtype"] == "fp32":  # bf16 near-ties may flip an argmax; fp32 may not
                    raise PeerError(f"{axes['model']}: transformers' greedy tokens differ from ours in fp32")
            for backend in backends:
                model = models[key]
                if backend == "hf-compiled":
                    model = copy.copy(model)  # the same weights; the compiled forward is this copy's
                    model.forward = torch.compile(model.forward, mode="reduce-overhead", fullgraph=False)
                started = time.perf_counter()
                samples = measure(model, point, backend, settings, seed + n)
                entry = {"id": point["id"].replace("/eager/", f"/{backend}/", 1), "axes": dict(axes, mode=backend),
                         "status": "ok", "metrics": {k: {"samples": v} for k, v in samples.items()},
                         "elapsed_s": time.perf_counter() - started}
                peer_points.append(entry)
                print(f"peer_hf: {entry['id']}: median {sorted(samples['latency_ms'])[len(samples['latency_ms']) // 2]:.3f} ms",
                      file=sys.stderr)
    report["points"] += peer_points
    report["context"]["peer"] = {
        "tool": f"transformers {transformers.__version__}, torch {torch.__version__}",
        "backends": backends,
        "script": "scripts/peer_hf.py",
        "same_greedy_tokens": checks,
        "note": "the peer's token times are taken on the host as generate() hands each token to a streamer",
    }
    si.write_atomically(args.out, json.dumps(report, indent=2))
    print(f"peer_hf: {len(peer_points)} peer points added; report: {args.out}", file=sys.stderr)


if __name__ == "__main__":
    # A deadline's SIGTERM unwinds like an exception, so the exported weights (gigabytes
    # for the larger models) go with their temporary folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        main()
    except PeerError as e:
        print(f"peer_hf: error: {e}", file=sys.stderr)
        sys.exit(1)
