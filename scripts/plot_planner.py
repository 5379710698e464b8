#!/usr/bin/env python3
"""The layout planner's figures (planner/, shishu-report's planner commands).

  plot_planner.py scores SCORES.json... [--out DIR] [--formats png,svg]
  plot_planner.py plan PLAN.json [--out DIR] [--formats png,svg]

`scores` draws scorecards (`shishu-report cross-validate --out`, `predict --against
--out`): for each file planner-<name>.*, one panel per quantity, predicted against
measured on log axes with the y = x line; points inside the calibrated range filled,
extrapolated ones (the held-out corner, layer counts or a width never calibrated)
hollow. `plan` draws `shishu-report plan --json`'s Pareto front (plan-front.*): each
predicted figure against the parameters, the measured layouts filled, the layouts to
measure next ringed. Every number comes from the file; nothing is re-estimated here.

Bad input is exit 2 with the value named, before matplotlib is imported and before any
file is written, as scripts/plot.py (whose conventions and helpers these are).
"""
import argparse
import math
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import plot  # noqa: E402  (its format, folder and save helpers; matplotlib once started)
import script_input as si  # noqa: E402

PROG = "plot_planner.py"
NUMBER_OR_NULL = (si.NUMBER, type(None))


SCORECARD = {"points": [{"model": str, "quantity": str, "measured": NUMBER_OR_NULL, "predicted": NUMBER_OR_NULL,
                         "extrapolated": [str]}]}
SCORES = {"interpolated": SCORECARD, "extrapolated": SCORECARD}
PLAN = {"widths": str, "front": [{"layout": str, "params": si.NUMBER, "measured": bool,
                                  "predictions": {str: si.NUMBER}}], "measure_next": [str]}


def scores_main(argv):
    ap = argparse.ArgumentParser(prog="plot_planner.py scores", description="Predicted against measured, per quantity")
    ap.add_argument("scores", nargs="+", help="cross-validate --out or predict --against --out JSON")
    ap.add_argument("--out", help="output folder (default: beside the first file)")
    ap.add_argument("--formats", default="png,svg")
    args = ap.parse_args(argv)
    formats = plot.format_list(args.formats)
    docs = [(path, si.read_json(PROG, path, SCORES)) for path in args.scores]
    out_dir = args.out or os.path.dirname(os.path.abspath(args.scores[0]))
    plot.start_plotting(formats, out_dir)
    written = []
    for path, doc in docs:
        by_quantity = defaultdict(lambda: {"interpolated": [], "extrapolated": []})
        for part in ("interpolated", "extrapolated"):
            for p in doc[part]["points"]:
                if p["measured"] is not None and p["predicted"] is not None and p["measured"] > 0 and p["predicted"] > 0:
                    by_quantity[p["quantity"]][part].append((p["measured"], p["predicted"]))
        quantities = sorted(by_quantity)
        cols = min(3, max(1, len(quantities)))
        rows = max(1, math.ceil(len(quantities) / cols))
        fig, axes = plot.plt.subplots(rows, cols, figsize=(4.2 * cols, 4 * rows), squeeze=False)
        for ax in axes.flat[len(quantities):]:
            ax.axis("off")
        for ax, q in zip(axes.flat, quantities):
            parts = by_quantity[q]
            values = [v for part in parts.values() for pair in part for v in pair]
            lo, hi = min(values) / 1.2, max(values) * 1.2
            ax.plot([lo, hi], [lo, hi], color="black", linewidth=0.8, label="y = x")
            for part, face in (("interpolated", "tab:blue"), ("extrapolated", "none")):
                pts = parts[part]
                if pts:
                    ax.scatter([m for m, _ in pts], [p for _, p in pts], s=18, facecolors=face, edgecolors="tab:blue",
                               label=f"{part} ({len(pts)})")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlim(lo, hi)
            ax.set_ylim(lo, hi)
            ax.set_title(q, fontsize=9)
            ax.set_xlabel("measured")
            ax.set_ylabel("predicted")
            ax.grid(True, which="major", alpha=0.3)
            ax.legend(fontsize=7)
        name = os.path.splitext(os.path.basename(path))[0]
        fig.suptitle(f"{name}: predicted against measured (hollow: extrapolated)", fontsize=9)
        written += plot.save(fig, out_dir, f"planner-{name}", formats)
    for path in written:
        print(path)


def plan_main(argv):
    ap = argparse.ArgumentParser(prog="plot_planner.py plan", description="The plan's Pareto front")
    ap.add_argument("plan", help="shishu-report plan --json output")
    ap.add_argument("--out", help="output folder (default: beside the plan)")
    ap.add_argument("--formats", default="png,svg")
    args = ap.parse_args(argv)
    formats = plot.format_list(args.formats)
    plan = si.read_json(PROG, args.plan, PLAN)
    if not plan["front"]:
        si.refuse(PROG, f"{args.plan}: the front is empty: nothing to draw (loosen the budget)")
    out_dir = args.out or os.path.dirname(os.path.abspath(args.plan))
    plot.start_plotting(formats, out_dir)
    quantities = sorted({q for c in plan["front"] for q in c["predictions"]})
    fig, axes = plot.plt.subplots(1, len(quantities), figsize=(5 * len(quantities), 4), squeeze=False)
    nxt = set(plan["measure_next"])
    for ax, q in zip(axes.flat, quantities):
        front = sorted((c for c in plan["front"] if q in c["predictions"]), key=lambda c: c["params"])
        # The front is over every objective at once; the staircase is its trade-off of this
        # figure against the parameters alone (a throughput is better higher).
        better = (lambda a, b: a > b) if q.endswith("_tok_s") else (lambda a, b: a < b)
        stairs = [c for c in front if not any(o["params"] >= c["params"] and better(o["predictions"][q], c["predictions"][q])
                                                 for o in front)]
        ax.scatter([c["params"] / 1e6 for c in front], [c["predictions"][q] for c in front], s=8,
                   color=["tab:orange" if c["measured"] else "tab:gray" for c in front],
                   label=f"front ({len(front)}; orange: measured)")
        ax.plot([c["params"] / 1e6 for c in stairs], [c["predictions"][q] for c in stairs], color="tab:blue",
                linewidth=1, marker="o", markersize=3, label=f"{q} against parameters alone")
        for c in front:
            x, y = c["params"] / 1e6, c["predictions"][q]
            if c["layout"] in nxt:
                ax.scatter([x], [y], s=120, facecolors="none", edgecolors="tab:red", zorder=3)
            if c["layout"] in nxt or c["measured"] or (len(stairs) <= 15 and c in stairs):
                ax.annotate(c["layout"], (x, y), fontsize=6, xytext=(3, 3), textcoords="offset points")
        ax.set_xlabel("parameters (M)")
        ax.set_ylabel(f"{q} (predicted)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"Pareto front at {plan['widths']} widths: orange measured, ringed: measure next", fontsize=9)
    for path in plot.save(fig, out_dir, "plan-front", formats):
        print(path)


if __name__ == "__main__":
    commands = {"scores": scores_main, "plan": plan_main}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        si.refuse(PROG, f"expected a command, scores or plan (usage: {PROG} scores SCORES.json... | plan PLAN.json)")
    commands[sys.argv[1]](sys.argv[2:])
