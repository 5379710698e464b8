#!/usr/bin/env bash
# Issue 26's scoring protocol for the layout planner, on this machine, in one sitting:
#
#   scripts/planner-study.sh OUT [--rounds N] [--preset PRESET] [--budget B] [--depth D]
#                                [--bench EXE] [--report EXE] [--python PY]
#
# 1. Measures PRESET (default planner-study-cpu) N times (default 3) into OUT/round-K,
#    `shishu-bench run --ceilings`: each round holds calibration and validation points
#    alike, so the machine's drift from one hour to the next hits both. A finished round
#    (its report.json) is kept; an interrupted one is continued with --resume.
# 2. From the rounds (pooled: each point's median over rounds, its noise half their
#    range; reports/planner_observations.h), with shishu-report:
#    - cross-validate over the small 125M layouts (every `125m:...` model), leaving one
#      layout out at a time, the largest batch x length corner held out of every
#      calibration and scored apart:  OUT/cross-validate.{txt,json}
#    - calibrate on the small 125M layouts:  OUT/model-125m.json, OUT/calibrate.txt
#    - predict the registered 125M models (names ending -125m or -125m-s) against their
#      measurements:  OUT/registered.{txt,json}
#    - predict the other widths' layouts (e.g. `350m:...`) by the explicit width transfer:
#      OUT/width-<w>.{txt,json}
#    - plan at depth D (default 512) under budget B (default 'peak_mb<=1000'):
#      OUT/plan.{txt,json}
# 3. Plots (scripts/plot_planner.py, with PY or setup's plot Python): OUT/plots/.
# OUT/summary.txt lists what was written. Progress goes to standard error as it happens.
# Exit status: 0 done, 1 a step failed (its log is named), 2 bad input (nothing written).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prog=planner-study
# shellcheck source=scripts/lib/args.sh
source "$root/scripts/lib/args.sh"
say() { printf 'planner-study: %s\n' "$*" >&2; }

out="" rounds=3 preset=planner-study-cpu budget='peak_mb<=1000' depth=512
bench=$root/build/release/cli/shishu-bench report=$root/build/release/cli/shishu-report python=""
while (($#)); do
  case "$1" in
    --rounds|--preset|--budget|--depth|--bench|--report|--python) need_value "$@" ;;&
    --rounds) rounds=$2; shift ;;
    --preset) preset=$2; shift ;;
    --budget) budget=$2; shift ;;
    --depth) depth=$2; shift ;;
    --bench) bench=$2; shift ;;
    --report) report=$2; shift ;;
    --python) python=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    -*) bad "unknown option '$1'" ;;
    *) [[ -z "$out" ]] || bad "one OUT folder, got '$out' and '$1'"; out=$1 ;;
  esac
  shift
done
[[ -n "$out" ]] || bad "no OUT folder (usage: scripts/planner-study.sh OUT [--rounds N] [--preset PRESET] ...)"
count --rounds "$rounds" 100
count --depth "$depth" 131072
for exe in "$bench" "$report"; do [[ -f "$exe" && -x "$exe" ]] || bad "'$exe' is not an executable (build first)"; done
preset_file "$preset" >/dev/null || bad "--preset '$preset' is neither a built-in preset nor a readable file"
# The budget is parsed by the binary that uses it, before anything is measured: its
# refusal names the problem.
err=$("$report" plan /nonexistent-model.json --budget "$budget" --depth "$depth" 2>&1) || true
[[ "$err" == *"/nonexistent-model.json"* ]] || bad "--budget '$budget': ${err#*error: }"
if [[ -z "$python" && -f "$root/build/setup.env" ]]; then
  python=$(sed -n 's/^SHISHU_PLOT_PYTHON=//p' "$root/build/setup.env")
fi
if [[ -n "$python" ]] && ! "$python" -c 'import matplotlib' 2>/dev/null; then
  bad "--python '$python' cannot import matplotlib"
fi
run_args=(--preset "$preset" --ceilings)
plan=$(runs_here "$bench" "${run_args[@]}") || exit 2
out_dir OUT "$out"
out=$(cd "$out" && pwd)
points=$(grep -c . <<<"$plan")
say "$points points a round, $rounds round(s), into $out"

# --- 1. The rounds -----------------------------------------------------------------------
t_all=$(date +%s) kept=0
round_dirs=()
for ((k = 1; k <= rounds; ++k)); do
  dir=$out/round-$k
  round_dirs+=("$dir")
  if [[ -f "$dir/report.json" ]]; then
    say "round $k/$rounds: finished before, kept"
    kept=$((kept + 1))
    continue
  fi
  t0=$(date +%s) status=0
  if [[ -f "$dir/journal.jsonl" ]]; then
    say "round $k/$rounds: resuming ($(grep -c . "$dir/journal.jsonl") of $points points done)"
    "$bench" run "${run_args[@]}" --resume "$dir" >"$dir.log" 2>&1 || status=$?
  else
    say "round $k/$rounds: measuring $points points"
    rm -rf "$dir"
    # Each point's progress line ([i/N] ...), as the run prints it, and the whole log.
    "$bench" run "${run_args[@]}" --out "$dir" 2>&1 | tee "$dir.log" | grep --line-buffered '^\[' >&2 ||
      status=${PIPESTATUS[0]}
  fi
  [[ -f "$dir/report.json" ]] || { say "round $k wrote no report (exit $status; log: $dir.log)"; exit 1; }
  say "round $k/$rounds: done in $(($(date +%s) - t0)) s$( ((status)) && echo ", with failed points (see $dir.log)")"
done

# --- 2. The scores -----------------------------------------------------------------------
# The models, by the rule of the header, from the first round's points.
read -r small registered others < <(python3 - "${round_dirs[0]}/report.json" <<'PY'
import json, re, sys
models = []
for p in json.load(open(sys.argv[1]))["points"]:
    if p["axes"]["model"] not in models:
        models.append(p["axes"]["model"])
small = [m for m in models if m.startswith("125m:")]
registered = [m for m in models if re.search(r"-125m(-s)?$", m)]
# Other widths' layouts, by width: "350m=350m:2,350m:2+2*2;600m=..."
widths = sorted({m.split(":")[0] for m in models if ":" in m and not m.startswith("125m:")})
others = ";".join(w + "=" + ",".join(m for m in models if m.startswith(w + ":")) for w in widths)
print(",".join(small) or "-", ",".join(registered) or "-", others or "-")
PY
)
[[ "$small" != "-" ]] || { say "the preset has no 125m:... layouts to calibrate on"; exit 1; }
step() {  # NAME FILE COMMAND...: runs a shishu-report step, its text into FILE
  local name=$1 file=$2 t0 status=0
  shift 2
  t0=$(date +%s)
  say "$name ..."
  "$@" >"$file" 2>"$file.err" || status=$?
  if ((status)); then say "$name failed (exit $status): $(head -c 400 "$file.err")"; exit 1; fi
  say "$name: done in $(($(date +%s) - t0)) s ($file)"
}
step "cross-validate over $small" "$out/cross-validate.txt" \
  "$report" cross-validate "${round_dirs[@]}" --layouts "$small" --hold-out-corner --out "$out/cross-validate.json"
step "calibrate on $small" "$out/calibrate.txt" \
  "$report" calibrate "${round_dirs[@]}" --layouts "$small" --out "$out/model-125m.json"
scores=("$out/cross-validate.json")
if [[ "$registered" != "-" ]]; then
  step "predict $registered" "$out/registered.txt" \
    "$report" predict "$out/model-125m.json" --against "${round_dirs[@]}" --models "$registered" \
    --out "$out/registered.json"
  scores+=("$out/registered.json")
fi
if [[ "$others" != "-" ]]; then
  IFS=';' read -ra groups <<<"$others"
  for group in "${groups[@]}"; do
    w=${group%%=*} layouts=${group#*=}
    step "predict $layouts by the width transfer to $w" "$out/width-$w.txt" \
      "$report" predict "$out/model-125m.json" --against "${round_dirs[@]}" --models "$layouts" --scale "$w" \
      --out "$out/width-$w.json"
    scores+=("$out/width-$w.json")
  done
fi
step "plan at depth $depth under $budget" "$out/plan.txt" \
  "$report" plan "$out/model-125m.json" --budget "$budget" --depth "$depth"
step "the plan as JSON" "$out/plan.json.log" \
  "$report" plan "$out/model-125m.json" --budget "$budget" --depth "$depth" --json --out "$out/plan.json"

# --- 3. The plots ------------------------------------------------------------------------
if [[ -n "$python" ]]; then
  step "plot the scorecards" "$out/plots.txt" "$python" "$root/scripts/plot_planner.py" scores "${scores[@]}" \
    --out "$out/plots"
  if python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["front"] else 1)' "$out/plan.json"; then
    step "plot the plan's front" "$out/plots-plan.txt" "$python" "$root/scripts/plot_planner.py" plan "$out/plan.json" \
      --out "$out/plots"
  else
    say "the plan's front is empty under $budget: no front to plot"
  fi
else
  say "no Python with matplotlib (--python, or scripts/setup.sh's): the plots are left out"
fi

{
  echo "planner study: $rounds round(s) of $preset ($points points each), $(($(date +%s) - t_all)) s in all$( ((kept)) && echo " ($kept round(s) measured before, not counted)")"
  echo "calibration layouts: $small"
  echo "registered models: $registered; other widths' layouts: $others"
  echo "written:"
  (cd "$out" && find . -maxdepth 2 -type f \( -name '*.txt' -o -name '*.json' -o -name '*.png' -o -name '*.svg' \) \
    ! -path './round-*' | sort | sed 's/^\.\//  /')
} >"$out/summary.txt"
cat "$out/summary.txt" >&2
