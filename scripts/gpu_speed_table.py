#!/usr/bin/env python3
"""Issue 20's targets against what a report measured: one Markdown table.

  scripts/gpu_speed_table.py REPORT.json

REPORT is a gpu-speed run (scripts/gpu-speed.sh), with the Hugging Face peer's points in
it (scripts/peer_hf.py). Each row names the point it reads, the target, the measured
median and the verdict; a point the report lacks is "not measured", never a number. The
ratios are computed from the report's own medians; the floor of a decode step is the
bytes it must read (decode_bytes_per_step) over the measured copy ceiling (the report's
own, context.devices[0].measured_ceilings). A file that is not such a report, or lacks a
field read here, is exit 2 with the place named.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import script_input as si  # noqa: E402


def median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report")
    report = si.read_json("gpu_speed_table.py", parser.parse_args().report, si.REPORT)
    points = {}
    for p in report["points"]:
        if p["status"] == "ok":
            points[p["id"]] = p

    def metric(pid, key):
        p = points.get(pid)
        if not p or key not in p["metrics"]:
            return None
        m = p["metrics"][key]
        return median(m["samples"]) if isinstance(m, dict) else m

    dev = (report["context"].get("devices") or [{}])[0]
    device = dev.get("device", "cuda")
    copy_bw = next((c["copy_bytes_per_s"] for c in dev.get("measured_ceilings", [])), None)

    def decode(model, mode, batch=1, gen=128):
        return f"generate/{model}/bf16/{device}/{mode}/b{batch}/p2048/g{gen}"

    def seq(phase, model, tokens=2048):
        return f"{phase}/{model}/bf16/{device}/eager/b1/t{tokens}"

    rows = []

    def row(what, pid, value, target, ok, unit="ms", extra=""):
        shown = "not measured" if value is None else f"{value:.3f} {unit}"
        verdict = "-" if value is None else ("met" if ok(value) else "missed")
        rows.append(f"| {what} | `{pid}` | {target} | {shown}{extra} | {verdict} |")

    for model, target in (("mobilellm-125m", 0.5), ("mobilellm-1.5b", 1.0)):
        pid = decode(model, "fast")
        v = metric(pid, "decode_step_ms")
        floor = metric(pid, "decode_bytes_per_step")
        extra = f" (floor {floor / copy_bw * 1e3:.3f} ms)" if floor and copy_bw else ""
        row(f"{model} decode step, batch 1, fast", pid, v, f"<= {target} ms", lambda x, t=target: x <= t, extra=extra)
    hf = metric(decode("mobilellm-125m", "hf-compiled"), "decode_step_ms")
    fast = metric(decode("mobilellm-125m", "fast"), "decode_step_ms")
    row("mobilellm-125m: hf-compiled over fast", decode("mobilellm-125m", "hf-compiled"),
        hf / fast if hf and fast else None, ">= 5x", lambda x: x >= 5, unit="x")
    best = [metric(decode("mobilellm-125m", m, 256, 32), "decode_step_ms") for m in ("eager", "cuda_graphs", "fast")]
    best = [b for b in best if b is not None]
    row("mobilellm-125m decode step, batch 256 (best backend)", decode("mobilellm-125m", "*", 256, 32),
        min(best) if best else None, "<= 4.0 ms", lambda x: x <= 4.0)
    fwd = metric(seq("forward", "mobilellm-125m"), "latency_ms")
    row("mobilellm-125m forward, 2048", seq("forward", "mobilellm-125m"), fwd, "<= 3 ms", lambda x: x <= 3)
    fb = metric(seq("forward_backward", "mobilellm-125m"), "latency_ms")
    row("mobilellm-125m forward+backward over forward", seq("forward_backward", "mobilellm-125m"),
        fb / fwd if fb and fwd else None, "<= 3x", lambda x: x <= 3, unit="x")
    pct = metric(seq("forward_backward", "mobilellm-1.5b", 4096), "measured_flops_pct")
    row("mobilellm-1.5b forward+backward, 4096, of the measured matmul ceiling",
        seq("forward_backward", "mobilellm-1.5b", 4096), pct, ">= 55%", lambda x: x >= 55, unit="%")
    worst = None
    for p in points.values():
        if p["axes"]["model"] != "shishulm-125m-s":
            continue
        twin = p["id"].replace("/shishulm-125m-s/", "/shishulm-125m/", 1)
        a, b = metric(p["id"], "latency_ms"), metric(twin, "latency_ms")
        if a is None or not b:
            continue
        noise = max(metric(p["id"], "sample_noise_pct") or 0, metric(twin, "sample_noise_pct") or 0)
        excess = 100 * (a / b - 1) - noise
        worst = excess if worst is None else max(worst, excess)
    row("shishulm-125m-s slower than shishulm-125m beyond the noise (worst point)", "every phase and backend",
        worst, "<= 0 %", lambda x: x <= 0, unit="%")
    print("| measure | point | target | measured | verdict |")
    print("|---|---|---:|---:|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
