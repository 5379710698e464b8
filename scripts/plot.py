#!/usr/bin/env python3
"""Figures in the spirit of the ShishuLM paper's Figures 6-9 from a shishu-bench report.

  plot.py REPORT [--out DIR] [--paper] [--formats png,svg]
  plot.py history HISTORY.json [--out DIR] [--formats png,svg]

Writes, for every dtype/device/mode in the report:
  latency_vs_seq.*     forward and forward+backward latency against sequence length
  generation_vs_gen.*  generation latency against new tokens
  throughput_vs_batch.* throughput against batch size
  memory_bars.*        peak memory during generation
Colour is the architecture family (MobileLLM blue, ShishuLM orange, custom layouts
grey); line style the variant (plain solid, weight-shared -s dotted, custom dash-dot);
marker the width (125m circle, 350m square, ...). --paper overlays the paper's Tables
6-10 as thin dashed lines in the same colour, with hollow markers. Python is for plots
only: every number comes from the report or the paper's CSVs.

`history` draws the trends of `shishu-report history --format json`: one figure per
metric (history-<metric>.*), each point's medians relative to its first report, with
its change points marked (regressions red, improvements green) as that command found
them; nothing is re-estimated here.

Bad input is exit 2 with the value named, before matplotlib is imported (it takes a
second) and before any file is written: a file that is not the JSON asked for or lacks a
field read here, an --out that cannot be a folder, --formats matplotlib cannot write.
"""
import argparse
import csv
import math
import os
import re
import statistics
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import script_input as si  # noqa: E402

plt = None  # matplotlib.pyplot, imported by start_plotting once the input is known to be good

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAPER_DIR = os.path.join(ROOT, "data", "paper")
FAMILY_COLOURS = {"mobilellm": "tab:blue", "shishulm": "tab:orange", "custom": "tab:gray"}
VARIANT_STYLES = {"plain": "-", "shared": ":", "custom": "-."}
WIDTH_MARKERS = {"125m": "o", "350m": "s", "600m": "^", "1b": "D", "1.5b": "v", "1.5b-as-counted": "P"}
MEMORY_METRICS = ("cuda_peak_allocated_bytes", "cpu_peak_rss_bytes")


def family_and_variant(model):
    """'shishulm-125m-s' -> ('125m', 'shishulm-s'); '125m:10+20' -> ('125m', 'custom')."""
    if ":" in model:
        base = model.split(":", 1)[0]
        fam = base if base in WIDTH_MARKERS else family_and_variant(base)[0]
        return fam, "custom"
    kind, _, rest = model.partition("-")
    as_counted = rest.endswith("-as-counted")
    rest = rest[: -len("-as-counted")] if as_counted else rest
    shared = rest.endswith("-s")
    fam = rest[:-2] if shared else rest
    if as_counted and fam == "1.5b":
        fam = "1.5b-as-counted"  # a width family of its own (FFN 4532)
    return fam, kind + ("-s" if shared else "")


def style(model):
    width, variant = family_and_variant(model)
    family = variant.split("-")[0]
    kind = "custom" if variant == "custom" else ("shared" if variant.endswith("-s") else "plain")
    return dict(color=FAMILY_COLOURS.get(family, "tab:gray"), linestyle=VARIANT_STYLES[kind],
                marker=WIDTH_MARKERS.get(width, "*"), markersize=5, label=model)


def headline(point, key):
    m = point["metrics"].get(key)
    if m is None:
        return None
    if not isinstance(m, dict):
        return m
    return m["median"] if "median" in m else statistics.median(m["samples"])  # peer_hf.py writes samples alone


def paper_series(table, model, prefix):
    path = os.path.join(PAPER_DIR, table)
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["model"] == model:
                return sorted((int(k[len(prefix):]), float(v)) for k, v in row.items() if k.startswith(prefix) and v)
    return []


def setting_of(point):
    a = point["axes"]
    return f'{a["dtype"]}, {a["device"]}, {a["mode"]}'


def series(points, phase, x_axis, metric, fixed=None):
    """model -> sorted [(x, y)] of ok points; fixed: axes that must match (e.g. batch 1)."""
    out = defaultdict(list)
    for p in points:
        a = p["axes"]
        if a["phase"] != phase or p["status"] != "ok":
            continue
        if fixed and any(a.get(k) != v for k, v in fixed.items()):
            continue
        y = headline(p, metric) if isinstance(metric, str) else next(
            (headline(p, m) for m in metric if headline(p, m) is not None), None)
        if y is not None:
            out[a["model"]].append((a[x_axis], y))
    return {m: sorted(v) for m, v in out.items()}


def log2_axis(ax, xs):
    ax.set_xscale("log", base=2)
    ticks = sorted(set(xs))
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(t) for t in ticks])


def line_plot(ax, data, title, xlabel, ylabel, paper=None):
    xs = []
    for model, pts in data.items():
        ax.plot([x for x, _ in pts], [y for _, y in pts], **style(model))
        xs += [x for x, _ in pts]
        if paper:
            table, prefix = paper
            ref = [(x, y) for x, y in paper_series(table, model, prefix)]
            if ref:
                s = style(model)
                ax.plot([x for x, _ in ref], [y for _, y in ref], color=s["color"], linestyle="--", linewidth=0.9,
                        marker=s["marker"], markerfacecolor="none", markersize=5, alpha=0.7, label=f"{model} (paper)")
                xs += [x for x, _ in ref]
    if xs:
        log2_axis(ax, xs)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    if data:
        ax.legend(fontsize=7)


def refuse(message):
    si.refuse("plot.py", message)


def format_list(text):
    """--formats: file extensions, each once; whether matplotlib writes them is asked of it
    in start_plotting."""
    formats = text.split(",")
    for f in formats:
        if not re.fullmatch(r"[a-z0-9]+", f):
            refuse(f"--formats '{text}': '{f}' is not a file extension")
    if len(set(formats)) != len(formats):
        refuse(f"--formats '{text}': a format is named twice")
    return formats


def start_plotting(formats, out_dir):
    """Makes the output folder, imports matplotlib, and refuses a format it cannot write
    (which removes the folder again)."""
    global plt
    si.make_folder("plot.py", "--out", out_dir)
    si.need_modules("plot.py", "matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot
    plt = matplotlib.pyplot
    known = plt.figure().canvas.get_supported_filetypes()
    plt.close("all")
    for f in formats:
        if f not in known:
            refuse(f"--formats: matplotlib cannot write '{f}' (it writes {', '.join(sorted(known))})")


def check_change_points(history, path):
    for i, t in enumerate(history["trends"]):
        for c in t["change_points"]:
            if not 0 <= c["index"] < len(t["values"]):
                refuse(f"{path}: trends[{i}]: change point index {c['index']} is outside its {len(t['values'])} values")


HISTORY = {"schema": {"shishu-bench/history"}, "reports": [str],
           "trends": [{"metric": str, "point": str, "values": [(si.NUMBER, type(None))],
                       "change_points": [{"index": int, "verdict": str}]}]}


def save(fig, out_dir, name, formats):
    paths = []
    for fmt in formats:
        path = os.path.join(out_dir, f"{name}.{fmt}")
        fig.savefig(path, dpi=130, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report")
    ap.add_argument("--out", help="output folder (default: a 'plots' folder beside the report)")
    ap.add_argument("--paper", action="store_true", help="overlay the paper's own numbers as dashed lines")
    ap.add_argument("--formats", default="png,svg")
    args = ap.parse_args()
    formats = format_list(args.formats)
    report = si.read_json("plot.py", args.report, si.REPORT)
    out_dir = args.out or os.path.join(os.path.dirname(os.path.abspath(args.report)), "plots")
    start_plotting(formats, out_dir)
    device_names = {d.get("device"): d.get("name", "") for d in report["context"].get("devices", [])}

    by_setting = defaultdict(list)
    for p in report["points"]:
        by_setting[setting_of(p)].append(p)
    written = []
    for setting, points in by_setting.items():
        tag = setting.replace(", ", "-")
        device = points[0]["axes"]["device"]
        where = f"{setting} ({device_names.get(device, device)})"

        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for ax, phase, table, name in ((axes[0], "forward", "table6_forward_latency_ms.csv", "Forward"),
                                       (axes[1], "forward_backward", "table7_forward_backward_latency_ms.csv",
                                        "Forward+backward")):
            line_plot(ax, series(points, phase, "seq", "latency_ms", {"batch": 1}), f"{name} latency, batch 1",
                      "sequence length (tokens)", "latency (ms, log scale)", (table, "seq") if args.paper else None)
            ax.set_yscale("log")
        fig.suptitle(where, fontsize=9)
        written += save(fig, out_dir, f"latency_vs_seq-{tag}", formats)

        fig, ax = plt.subplots(figsize=(6, 4))
        gen = series(points, "generate", "gen", "latency_ms", {"batch": 1})
        line_plot(ax, gen, f"Generation latency, batch 1\n{where}", "new tokens", "total latency (ms, log scale)",
                  ("table8_generation_latency_ms.csv", "gen") if args.paper else None)
        ax.set_yscale("log")
        written += save(fig, out_dir, f"generation_vs_gen-{tag}", formats)

        fig, ax = plt.subplots(figsize=(6, 4))
        tput = series(points, "generate", "batch", "throughput_tok_s")
        line_plot(ax, tput, f"Throughput = batch x (G-1) / (total - TTFT)\n{where}", "batch size",
                  "throughput (tokens/s, log scale)", ("table10_throughput_tokens_per_s.csv", "batch") if args.paper else None)
        ax.set_yscale("log")
        written += save(fig, out_dir, f"throughput_vs_batch-{tag}", formats)

        mem = series(points, "generate", "gen", MEMORY_METRICS, {"batch": 1})
        fig, ax = plt.subplots(figsize=(7, 4))
        models = list(mem)
        gens = sorted({x for pts in mem.values() for x, _ in pts})
        width = 0.8 / max(1, len(gens))
        shades = plt.get_cmap("Greys")
        for i, g in enumerate(gens):
            ys = [dict(mem[m]).get(g, math.nan) / 1e6 for m in models]
            ax.bar([k + i * width for k in range(len(models))], ys, width, label=f"{g} new tokens",
                   color=shades(0.35 + 0.5 * i / max(1, len(gens) - 1)), edgecolor="black", linewidth=0.5)
        ax.set_xticks([k + width * (len(gens) - 1) / 2 for k in range(len(models))])
        ax.set_xticklabels(models, rotation=30, ha="right", fontsize=8)
        metric = next((m for m in MEMORY_METRICS if any(m in p["metrics"] for p in points)), "memory")
        ax.set_ylabel("peak memory (MB)")
        ax.set_title(f"Peak memory during generation ({metric})\n{where}", fontsize=9)
        if gens:
            ax.legend(fontsize=7)
        written += save(fig, out_dir, f"memory_bars-{tag}", formats)

        if any(p["axes"]["phase"] == "decode" for p in points):
            written += long_context_plots(points, where, tag, out_dir, formats)

    for path in written:
        print(path)


def long_context_plots(points, where, tag, out_dir, formats):
    """Decode at depth: ms a token against the depth, and the speed-up over MobileLLM of the same widths."""
    written = []
    for batch in sorted({p["axes"]["batch"] for p in points if p["axes"]["phase"] == "decode"}):
        steps = series(points, "decode", "depth", "decode_step_ms", {"batch": batch})
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        line_plot(axes[0], steps, f"Decode at depth, batch {batch}", "tokens in the KV cache",
                  "ms a token (median step)")
        speedup = {}
        for model, pts in steps.items():
            family, _ = family_and_variant(model)
            base = dict(steps.get(f"mobilellm-{family}", []))
            if model.startswith("mobilellm-") or not base:
                continue
            speedup[model] = [(d, 100 * (1 - ms / base[d])) for d, ms in pts if d in base]
        line_plot(axes[1], speedup, f"Speed-up over MobileLLM, batch {batch}", "tokens in the KV cache",
                  "1 - variant/baseline (%)")
        axes[1].axhline(0, color="black", linewidth=0.6)
        fig.suptitle(where, fontsize=9)
        written += save(fig, out_dir, f"decode_vs_depth-b{batch}-{tag}", formats)
    return written


def history_main(argv):
    ap = argparse.ArgumentParser(prog="plot.py history", description="Trends from shishu-report history --format json")
    ap.add_argument("history")
    ap.add_argument("--out", help="output folder (default: beside the history file)")
    ap.add_argument("--formats", default="png,svg")
    args = ap.parse_args(argv)
    formats = format_list(args.formats)
    history = si.read_json("plot.py", args.history, HISTORY)
    check_change_points(history, args.history)
    out_dir = args.out or os.path.dirname(os.path.abspath(args.history))
    start_plotting(formats, out_dir)
    labels = [r.split(" ")[0][:10] for r in history["reports"]]  # the date of each report
    by_metric = defaultdict(list)
    for t in history["trends"]:
        by_metric[t["metric"]].append(t)
    written = []
    for metric, trends in by_metric.items():
        fig, ax = plt.subplots(figsize=(9, 4.5))
        for t in trends:
            first = next((v for v in t["values"] if v is not None), None)
            if not first:
                continue
            ys = [math.nan if v is None else 100 * (v / first - 1) for v in t["values"]]
            ax.plot(range(len(ys)), ys, linewidth=1, marker=".", label=t["point"])
            for c in t["change_points"]:
                ax.plot(c["index"], ys[c["index"]], marker="o", markersize=9, fillstyle="none", linestyle="none",
                        color="tab:red" if c["verdict"] == "regression" else "tab:green")
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=7)
        ax.set_ylabel(f"{metric}: change from the first report (%)")
        ax.set_title(f"{metric} over {len(labels)} reports; circles: change points (red regression, green improvement)",
                     fontsize=9)
        if len(trends) <= 12:
            ax.legend(fontsize=6)
        written += save(fig, out_dir, f"history-{metric}", formats)
    for path in written:
        print(path)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "history":
        history_main(sys.argv[2:])
    else:
        main()
