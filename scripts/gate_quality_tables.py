#!/usr/bin/env python3
"""Tables of the gate-quality study (scripts/gate-quality.sh --analyse OUT calls this).

Reads OUT/{paired,unpaired}/block-*/compare-{aa,s5,s10,s20}.json, which
`shishu-report compare --json` wrote, and prints Markdown:
  1. per method: A/A comparisons with a false alarm, and planted slowdowns detected;
  2. per method and phase: how often each phase's latency was flagged at each planted
     slowdown, the median interval width in A/A, and the smallest effect the phase can
     reliably detect, estimated as threshold + the 95th percentile of the distance from
     the estimate to the lower end of its interval in A/A (a change must carry its whole
     interval past the threshold);
  3. the spread behind it: the standard deviation of one round's A/A log ratio per
     phase, read from the rounds' reports, and the first timed repetition of each point
     against the median of the others in the unpaired base and aa reports (is one
     warm-up enough at every position?).
Counting only: the verdicts and intervals come from the compare JSON. A file that lacks
a field read here is exit 2 with the file and the place named.

usage: gate_quality_tables.py OUT THRESHOLD
"""
import argparse
import glob
import math
import os
import statistics
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import script_input as si  # noqa: E402

PROG = "gate_quality_tables.py"
PCT = (si.NUMBER, type(None))
COMPARISON = {"regressions": si.whole(0), "points": [{"id": str, "changes": [
    {"metric": str, "verdict": str, "change_pct": PCT, "lower_pct": PCT, "upper_pct": PCT}]}]}

ARMS = [("aa", "A/A (false alarms)"), ("s5", "+5% planted"), ("s10", "+10% planted"), ("s20", "+20% planted")]


def percentile(values, q):
    if not values:
        return math.nan
    v = sorted(values)
    k = (len(v) - 1) * q / 100
    lo = math.floor(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (k - lo) * (v[hi] - v[lo])


def phase_of(point_id):
    return point_id.split("/")[0]


def latency(point, path):
    m = point["metrics"].get("latency_ms")
    if m is None:
        si.refuse(PROG, f"{path}: {point['id']}: no latency_ms")
    return m if not isinstance(m, dict) else m.get("median", statistics.median(m["samples"]))


def main(out, threshold):
    summary = []
    per_phase = {}
    for method in ("paired", "unpaired"):
        flagged = defaultdict(int)
        total = defaultdict(int)
        phase_hits = defaultdict(lambda: defaultdict(int))
        phase_total = defaultdict(lambda: defaultdict(int))
        aa_lower_gap = defaultdict(list)
        aa_width = defaultdict(list)
        verdicts = defaultdict(lambda: defaultdict(int))
        for path in sorted(glob.glob(os.path.join(out, method, "block-*", "compare-*.json"))):
            arm = os.path.basename(path)[len("compare-"):-len(".json")]
            c = si.read_json(PROG, path, COMPARISON)
            total[arm] += 1
            flagged[arm] += c["regressions"] > 0
            for p in c["points"]:
                for ch in p["changes"]:
                    if ch["metric"] != "latency_ms":
                        continue
                    verdicts[arm][ch["verdict"]] += 1
                    ph = phase_of(p["id"])
                    phase_total[ph][arm] += 1
                    phase_hits[ph][arm] += ch["verdict"] == "regression"
                    if arm == "aa" and None not in (ch["change_pct"], ch["lower_pct"], ch["upper_pct"]):
                        aa_lower_gap[ph].append(ch["change_pct"] - ch["lower_pct"])
                        aa_width[ph].append(ch["upper_pct"] - ch["lower_pct"])
        if not total:
            continue
        summary.append((method, flagged, total, verdicts))
        per_phase[method] = (phase_hits, phase_total, aa_lower_gap, aa_width)

    print(f"Threshold {threshold:g}%, confidence 95%, Benjamini-Hochberg over each comparison's family.\n")
    print("| method | " + " | ".join(label for _, label in ARMS) + " |")
    print("|---|" + "---:|" * len(ARMS))
    for method, flagged, total, _ in summary:
        cells = [f"{flagged[a]} of {total[a]}" if total[a] else "-" for a, _ in ARMS]
        print(f"| {method} | " + " | ".join(cells) + " |")
    print("\nA comparison counts once if any of its points regressed (exit status 1).\n")

    print("Verdicts of every latency comparison (all blocks):\n")
    print("| method | arm | regression | inconclusive | unchanged | improvement |")
    print("|---|---|---:|---:|---:|---:|")
    for method, _, _, verdicts in summary:
        for a, label in ARMS:
            v = verdicts[a]
            if sum(v.values()):
                print(f"| {method} | {label} | {v['regression']} | {v['inconclusive']} | {v['unchanged']} | {v['improvement']} |")

    for method, (hits, totals, gaps, widths) in per_phase.items():
        print(f"\n{method}: latency flagged as a regression, by phase\n")
        print("| phase | " + " | ".join(label for _, label in ARMS) +
              " | A/A median interval width | smallest reliably detectable (estimate) |")
        print("|---|" + "---:|" * (len(ARMS) + 2))
        for ph in sorted(totals):
            cells = []
            for a, _ in ARMS:
                n = totals[ph][a]
                cells.append(f"{hits[ph][a]}/{n} ({100 * hits[ph][a] / n:.0f}%)" if n else "-")
            width = percentile(widths[ph], 50)
            mde = threshold + percentile(gaps[ph], 95)
            width_text = f"{width:.1f} pts" if math.isfinite(width) else "unbounded"
            mde_text = f"{mde:.0f}%" if math.isfinite(mde) else "none (no bounded interval)"
            print(f"| {ph} | " + " | ".join(cells) + f" | {width_text} | {mde_text} |")


def spread(out):
    sd = defaultdict(list)
    for b in sorted(glob.glob(os.path.join(out, "paired", "block-*"))):
        base = sorted(glob.glob(os.path.join(b, "base", "round-*", "report.json")))
        aa = sorted(glob.glob(os.path.join(b, "aa", "round-*", "report.json")))
        if len(base) < 2 or len(base) != len(aa):
            continue
        rounds = [(si.read_json(PROG, x, si.REPORT), si.read_json(PROG, y, si.REPORT)) for x, y in zip(base, aa)]
        ids = [p["id"] for p in rounds[0][0]["points"]]
        for (z, a), x, y in zip(rounds, base, aa):
            if [p["id"] for p in z["points"]] != ids or [p["id"] for p in a["points"]] != ids:
                si.refuse(PROG, f"{x} and {y}: not the points of {base[0]}, in its order")
        for i, p in enumerate(rounds[0][0]["points"]):
            lr = [math.log(latency(a["points"][i], y) / latency(z["points"][i], x))
                  for (z, a), x, y in zip(rounds, base, aa)]
            mean = sum(lr) / len(lr)
            sd[phase_of(p["id"])].append(math.sqrt(sum((x - mean) ** 2 for x in lr) / (len(lr) - 1)))
    print("\nStandard deviation of one round's A/A log ratio (latency), median over points:\n")
    print("| phase | sigma | points x blocks |")
    print("|---|---:|---:|")
    for ph in sorted(sd):
        print(f"| {ph} | {percentile(sd[ph], 50):.3f} | {len(sd[ph])} |")
    first = defaultdict(list)
    for path in glob.glob(os.path.join(out, "unpaired", "block-*", "*", "report.json")):
        arm = os.path.basename(os.path.dirname(path))
        if arm not in ("base", "aa"):
            continue
        for i, p in enumerate(si.read_json(PROG, path, si.REPORT)["points"]):
            s = p["metrics"].get("latency_ms", {})
            s = s.get("samples", []) if isinstance(s, dict) else []
            if len(s) > 1:
                first[i].append(s[0] / percentile(s[1:], 50))
    if first:
        ratios = [percentile(v, 50) for _, v in sorted(first.items())]
        print(f"\nFirst timed repetition over the median of the others, per point position "
              f"({len(first[0])} processes): position 0 {ratios[0]:.3f}, all positions "
              f"{min(ratios):.3f} to {max(ratios):.3f}.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="the study's folder (scripts/gate-quality.sh OUT)")
    parser.add_argument("threshold", type=float, help="the threshold the comparisons used, in %%")
    args = parser.parse_args()
    if not os.path.isdir(args.out):
        si.refuse(PROG, f"OUT '{args.out}' is not a folder")
    main(args.out, args.threshold)
    spread(args.out)
