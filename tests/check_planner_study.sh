#!/usr/bin/env bash
# scripts/planner-study.sh end to end on tests/data/planner-study-tiny.json, 2 rounds:
# every scorecard, the model, the plan and (with a plot Python) the plots; then a second
# call keeps both finished rounds, and a round cut short (its report gone, half its
# journal) is resumed, not measured again.
# usage: check_planner_study.sh SOURCE_DIR WORK SHISHU_BENCH SHISHU_REPORT [PLOT_PYTHON]
set -uo pipefail
src=$1 work=$2 bench=$3 report=$4 plot_py=${5:-}
rm -rf "$work" && mkdir -p "$work"
out=$work/study fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
study=("$src/scripts/planner-study.sh" "$out" --rounds 2 --preset "$src/tests/data/planner-study-tiny.json"
       --bench "$bench" --report "$report")
[[ -n "$plot_py" ]] && study+=(--python "$plot_py")

"${study[@]}" 2>"$work/first.err" || { fail "the study failed: $(tail -5 "$work/first.err")"; exit 1; }
grep -q "round 1/2: measuring" "$work/first.err" || fail "no progress for round 1"
grep -q '^\[1/' "$work/first.err" || fail "the rounds' per-point progress is not shown"
for f in cross-validate.txt cross-validate.json calibrate.txt model-125m.json registered.txt registered.json \
         width-350m.txt width-350m.json plan.txt plan.json summary.txt; do
  [[ -s "$out/$f" ]] || fail "missing or empty: $f"
done
python3 - "$out" <<'PY' || fail "the scorecards are not what the tiny study implies"
import json, os, sys
out = sys.argv[1]
cv = json.load(open(os.path.join(out, "cross-validate.json")))
skipped = [f["left_out"] for f in cv["folds"] if "skipped" in f]
assert skipped == ["125m:1+1*2"], skipped  # the only tied layout: without it no reuse is calibrated
corner = [p for p in cv["extrapolated"]["points"] if "corner" in p["extrapolated"]]
assert corner and all(p["batch"] == 2 for p in corner), corner
reg = json.load(open(os.path.join(out, "registered.json")))
assert not reg["interpolated"]["points"], "30 attention layers lie outside the calibrated 1..2"
assert {p["model"] for p in reg["extrapolated"]["points"]} == {"mobilellm-125m"}
wide = json.load(open(os.path.join(out, "width-350m.json")))
assert wide["width_transfer"] == "125m to 350m", wide.get("width_transfer")
assert all("width" in p["extrapolated"] for p in wide["extrapolated"]["points"])
assert json.load(open(os.path.join(out, "plan.json")))["front"]
PY
if [[ -n "$plot_py" ]]; then
  for f in planner-cross-validate planner-registered planner-width-350m plan-front; do
    [[ -s "$out/plots/$f.png" ]] || fail "missing plot: $f.png"
  done
fi

# Again: both rounds are kept.
"${study[@]}" 2>"$work/second.err" || fail "the second call failed: $(tail -3 "$work/second.err")"
grep -q "round 1/2: finished before, kept" "$work/second.err" || fail "round 1 was not kept"
grep -q "round 2/2: finished before, kept" "$work/second.err" || fail "round 2 was not kept"

# A round cut short: its report gone, its journal half written.
rm "$out/round-2/report.json"
journal=$out/round-2/journal.jsonl
head -n $(($(wc -l <"$journal") / 2)) "$journal" >"$journal.half" && mv "$journal.half" "$journal"
done_before=$(wc -l <"$journal")
"${study[@]}" 2>"$work/third.err" || fail "the resumed call failed: $(tail -3 "$work/third.err")"
grep -q "round 2/2: resuming ($done_before of " "$work/third.err" || fail "round 2 was not resumed: $(grep round "$work/third.err")"
[[ -s "$out/round-2/report.json" ]] || fail "the resumed round wrote no report"
((fails == 0)) && echo "planner study OK" || exit 1
