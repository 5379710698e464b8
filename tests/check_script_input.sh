#!/usr/bin/env bash
# Every script that takes arguments keeps `shishu-bench run`'s contract on bad input
# (issue 24): exit 2, a message naming the value, no Python traceback, nothing written
# (the case's own empty folder, the checkout's build/ and reports/runs/, the filesystem
# root), and all of it in under a second. One row a case: refuses NEEDLE COMMAND...
# Each case runs in a fresh folder holding `afile` (a file) and `adir` (an empty folder),
# with every GPU hidden (CUDA_VISIBLE_DEVICES=""), so a GPU machine refuses as a CPU one
# does and a case that wrongly passed its checks could not start GPU work.
# A few checks need LibTorch loaded (the binary's own refusal of a preset, torch's of a
# device): those rows are `slow` ones, with 60 s (a busy 2-core machine takes 20).
# usage: check_script_input.sh SOURCE_DIR WORK SHISHU_BENCH SHISHU_REPORT PYTHON [PLOT_PYTHON]
#   PYTHON: the parity tests' (torch and transformers, where installed); PLOT_PYTHON: matplotlib's
set -uo pipefail
src=$1 work=$2 bench=$3 report=$4 plot_py=${6:-}
py=$("$5" -c 'import sys; print(sys.executable)') || { echo "FAIL: no Python at $5"; exit 1; }
rm -rf "$work" && mkdir -p "$work/fix"
fix=$work/fix s=$src/scripts
export CUDA_VISIBLE_DEVICES=""
fails=0 cases=0 limit_ms=1000

snapshot() {  # what a case may not change, from inside its folder (a folder's own time
  # changes when an entry is made and removed again: only what is in it counts)
  find . \( -type d -printf '%p/\n' \) -o -printf '%p %y %s %T@\n'
  find / "$src" "$src/build" "$src"/build/gpu* "$src/reports/runs" -maxdepth 1 -printf '%p\n' 2>/dev/null
  find "$src/build/gpu-session" "$src/build/ab" -printf '%p %T@\n' 2>/dev/null
}

refuses() {  # NEEDLE COMMAND...: exit 2, NEEDLE in stderr, no traceback, nothing written, in time
  local needle=$1 dir before t0 ms got=0 why=""; shift
  cases=$((cases + 1))
  dir="$work/case-$cases"
  mkdir -p "$dir/adir" && touch "$dir/afile"
  before=$(cd "$dir" && snapshot | sort)
  t0=$(date +%s%N)
  (cd "$dir" && timeout -k 1 60 "$@" >"$work/out" 2>"$work/err") || got=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  [[ $got == 2 ]] || why+=" exit $got, not 2;"
  grep -qF -- "$needle" "$work/err" || why+=" the message does not name '$needle';"
  ! grep -q Traceback "$work/err" || why+=" a traceback;"
  [[ "$(cd "$dir" && snapshot | sort)" == "$before" ]] ||
    why+=" it wrote: $(diff <(echo "$before") <(cd "$dir" && snapshot | sort) | grep '^>' | head -3 | tr '\n' ' ');"
  ((ms < limit_ms)) || why+=" it took $ms ms;"
  if [[ -n "$why" ]]; then
    echo "FAIL: ${*#"$src/"}:$why stderr: $(head -c 600 "$work/err")"; fails=$((fails + 1))
  else
    echo "ok ($ms ms): $(head -1 "$work/err")"
  fi
}
slow() { local limit_ms=60000; refuses "$@"; }

# --- Fixtures: reports and files edited into the shapes a hand or a bug makes ----------------
echo '[]' >"$fix/list.json"
echo '{"schema": "shishu-bench/report", "points": []}' >"$fix/noctx.json"
printf '{"schema": "\xff"}' >"$fix/bad-utf8.json"
"$py" - "$src/tests/data/fixture-report.json" "$fix" <<'PY' || { echo "FAIL: fixtures"; exit 1; }
import copy, json, os, sys
base, fix = json.load(open(sys.argv[1])), sys.argv[2]
def edit(name, change):
    r = copy.deepcopy(base)
    change(r)
    json.dump(r, open(os.path.join(fix, name), "w"))
edit("batch-four.json", lambda r: r["points"][0]["axes"].update(batch="four"))
gen = next(i for i, p in enumerate(base["points"]) if p["axes"]["phase"] == "generate")
edit("no-gen.json", lambda r: r["points"][gen]["axes"].pop("gen"))
edit("sample-text.json", lambda r: r["points"][0]["metrics"]["latency_ms"]["samples"].append("x"))
edit("with-peer.json", lambda r: r["context"].update(peer={"backends": ["hf-eager"]}))
edit("int8.json", lambda r: [p["axes"].update(dtype="int8") for p in r["points"]])
edit("cuda99.json", lambda r: [p["axes"].update(device="cuda:99") for p in r["points"]])
edit("no-model.json", lambda r: [p["axes"].update(model="no-such-model") for p in r["points"]])
json.dump({"schema": "shishu-bench/history", "reports": ["a", "b"], "trends": [{"metric": "latency_ms",
           "point": "p", "values": [1.0, 2.0], "change_points": [{"index": 7, "verdict": "regression"}]}]},
          open(os.path.join(fix, "history-index.json"), "w"))
json.dump({"interpolated": {"points": []}, "extrapolated": {"points": []}}, open(os.path.join(fix, "scores.json"), "w"))
json.dump({"widths": "125m", "front": [], "measure_next": []}, open(os.path.join(fix, "empty-plan.json"), "w"))
os.makedirs(os.path.join(fix, "study/paired/block-01"))
json.dump({"regressions": "none", "points": []}, open(os.path.join(fix, "study/paired/block-01/compare-aa.json"), "w"))
PY
printf '#!/bin/sh\nexec "%s" -S "$@"\n' "$py" >"$fix/bare-python"  # no site-packages: no torch, no matplotlib
chmod +x "$fix/bare-python"
report_ok=$src/tests/data/fixture-report.json

# --- gpu-session.sh ----------------------------------------------------------------------------
S=$s/gpu-session.sh
refuses "no OUT folder" "$S"
refuses "'--minutes'" "$S" --minutes 5
refuses "'--minutes'" "$S" o --minutes
refuses "'0'" "$S" o --minutes 0
refuses "'08'" "$S" o --minutes 08
refuses "'99999999999'" "$S" o --minutes 99999999999
refuses "'--steps'" "$S" o --steps
refuses "'--steps'" "$S" o --steps ""
refuses "','" "$S" o --steps ,
refuses "'first,'" "$S" o --steps first,
refuses "'deploy'" "$S" o --steps first,deploy
refuses "'first memory'" "$S" o --steps "first memory"
refuses "--minutes 2" "$S" o --minutes 2
refuses "'extra'" "$S" o extra
refuses "'afile/out'" "$S" afile/out
refuses "'afile'" "$S" afile
refuses "'/proc/x'" "$S" /proc/x
refuses "'/proc' is not writable" "$S" /proc
refuses "build/gpu-session/o" "$S" "$src/build/gpu-session/o"
refuses "step 'first' needs one" "$S" o
refuses "step 'memory' needs one" "$S" o --steps memory,gate

# --- gpu-speed.sh ------------------------------------------------------------------------------
P=$s/gpu-speed.sh
refuses "no OUT folder" "$P"
refuses "'--bin'" "$P" o --bin
refuses "'/nonexistent'" "$P" o --bin /nonexistent
refuses "'--preset'" "$P" o --bin "$bench" --preset
refuses "'--bogus'" "$P" o --bogus
refuses "'no-such-python'" "$P" o --bin "$bench" --python no-such-python
refuses "$fix/bare-python" "$P" o --bin "$bench" --python "$fix/bare-python"
if "$py" -c 'import torch, transformers' 2>/dev/null; then
  refuses "'('" "$P" o --bin "$bench" --python "$py" --peer-points '('
  refuses "'nope'" "$P" o --bin "$bench" --python "$py" --preset nope
  refuses "'/proc/x'" "$P" /proc/x --bin "$bench" --python "$py"
  refuses "'afile/o'" "$P" afile/o --bin "$bench" --python "$py"
  refuses "--preset gpu-speed runs on CUDA" "$P" o --bin "$bench" --python "$py"  # once left an empty ceilings.json
  slow "a preset must be a JSON object" "$P" o --bin "$bench" --python "$py" --preset "$fix/list.json"
else
  echo "note: $py has no torch or transformers: gpu-speed.sh's later checks are not tried"
fi

# --- gpu.sh, gpu-pack.sh, gpu-kit.sh (more in check_gpu_script.sh) -----------------------------
G=$s/gpu.sh
refuses "'--stage'" "$G" o --stage
refuses "--stage ''" "$G" o --stage=
refuses "--stage gate needs a GPU" "$G" o --stage gate
refuses "--stage first runs the preset gpu-smoke" "$G" o --stage first
refuses "--stage sweep runs the preset ci-gpu" "$G" o --stage sweep
refuses "--preset 'nope'" "$G" o --stage sweep --preset nope
refuses "'--preset x'" "$G" o --stage build --preset x
refuses "'afile/out'" "$G" afile/out --stage build
refuses "'/proc/x'" "$G" /proc/x --stage build
refuses "'afile'" "$G" afile
K=$s/gpu-pack.sh
refuses "got 0" "$K"
refuses "'adir w extra'" "$K" adir w extra
refuses "'nope'" "$K" nope w
refuses "'adir/w'" "$K" adir adir/w
refuses "'afile/w'" "$K" adir afile/w
refuses "'x'" env SHISHU_PACK_PART_BYTES=x "$K" adir w
refuses "'--bogus'" "$s/gpu-kit.sh" --bogus
refuses "'--check extra'" "$s/gpu-kit.sh" --check extra

# --- gate-quality.sh, ab.sh, fuzz.sh -----------------------------------------------------------
Q=$s/gate-quality.sh
refuses "no OUT folder" "$Q"
refuses "'--blocks'" "$Q" o --blocks
refuses "'0'" "$Q" o --rounds 0
refuses "'s7'" "$Q" o --arms "base s7"
refuses "'base' is given twice" "$Q" o --arms "base base"
refuses "'aa'" "$Q" o --arms aa
refuses "--out" "$Q" o --run-args "--out x"
refuses "--inject-slowdown" "$Q" o --run-args "--seq 8 --inject-slowdown 5"
refuses "'--bogus'" "$Q" o --bogus 1
refuses "'/nonexistent'" "$Q" o --bin /nonexistent
refuses "'nope'" "$Q" o --bin "$bench" --preset nope
refuses "--preset gate-gpu runs on CUDA" "$Q" o --bin "$bench" --preset gate-gpu
refuses "'afile/o'" "$Q" afile/o --bin "$bench"
refuses "'nope'" "$Q" --analyse nope
refuses "--threshold: 'abc' is not a finite number" "$Q" --analyse adir --report "$report" --threshold abc
refuses "--confidence 2" "$Q" --analyse adir --report "$report" --confidence 2
A=$s/ab.sh
refuses "'--rounds'" "$A" --rounds
refuses "'0'" "$A" --rounds 0 HEAD
refuses "'--bin'" "$A" --bin "$bench"
refuses "'/nonexistent'" "$A" --bin "$bench" /nonexistent
refuses "'--out'" "$A" --bin "$bench" "$bench" --out
refuses "--threshold: 'abc' is not a finite number" "$A" --bin "$bench" "$bench" --report "$report" --threshold abc
refuses "'x'" "$A" --bin "$bench" "$bench" --report "$report" --metric-threshold x=3
refuses "'/proc/x'" "$A" --bin "$bench" "$bench" --report "$report" --summary /proc/x/y
refuses "'afile'" "$A" --bin "$bench" "$bench" --report "$report" --out afile
refuses "'/proc/x'" "$A" --bin "$bench" "$bench" --report "$report" --out /proc/x
refuses "--out" "$A" --bin "$bench" "$bench" --report "$report" --out o -- --out x
refuses "--resume" "$A" --bin "$bench" "$bench" --report "$report" --out o --new-args "--resume r"
slow "'nope'" "$A" --bin "$bench" "$bench" --report "$report" --out o -- --preset nope
slow "cannot run" "$A" --bin "$bench" "$bench" --report "$report" --out o -- --device cuda
PS=$s/planner-study.sh
refuses "no OUT folder" "$PS"
refuses "'--rounds'" "$PS" o --rounds
refuses "'0'" "$PS" o --rounds 0
refuses "'abc'" "$PS" o --depth abc
refuses "'--bogus'" "$PS" o --bogus
refuses "one OUT folder" "$PS" o p
refuses "'/nonexistent'" "$PS" o --bench /nonexistent --report "$report"
refuses "'nope'" "$PS" o --bench "$bench" --report "$report" --preset nope
refuses "contradictory budget" "$PS" o --bench "$bench" --report "$report" --budget 'decode_ms<=1,decode_ms>=2'
refuses "'no-such-python'" "$PS" o --bench "$bench" --report "$report" --python no-such-python
if [[ -n "$plot_py" ]]; then
  slow "'afile' is a file" "$PS" afile --bench "$bench" --report "$report" \
    --preset "$src/tests/data/planner-study-tiny.json" --python "$plot_py"
fi
Z=$s/fuzz.sh
refuses "'0'" "$Z" 0
refuses "'08'" "$Z" 08
refuses "'1 2'" "$Z" 1 2
refuses "'x'" env SHISHU_FUZZ_RUNS=x "$Z" 5
refuses "'no-such-clang'" env SHISHU_FUZZ_CXX=no-such-clang "$Z" 5

# --- peer_hf.py: before torch is imported, and (slow) before any model loads -----------------
H=("$py" "$s/peer_hf.py")
refuses "list.json: expected an object" "${H[@]}" "$fix/list.json" --bench "$bench" --out o.json
refuses "noctx.json: context: missing" "${H[@]}" "$fix/noctx.json" --bench "$bench" --out o.json
refuses "bad-utf8.json: cannot be read" "${H[@]}" "$fix/bad-utf8.json" --bench "$bench" --out o.json
refuses "points[0].axes.batch" "${H[@]}" "$fix/batch-four.json" --bench "$bench" --out o.json
refuses "axes.gen: missing" "${H[@]}" "$fix/no-gen.json" --bench "$bench" --out o.json
refuses "samples[2]" "${H[@]}" "$fix/sample-text.json" --bench "$bench" --out o.json
refuses "already holds peer points" "${H[@]}" "$fix/with-peer.json" --bench "$bench" --out o.json
refuses "'int8'" "${H[@]}" "$fix/int8.json" --bench "$bench" --out o.json
refuses "'/nonexistent'" "${H[@]}" "$report_ok" --bench /nonexistent --out o.json
refuses "'/proc/x.json'" "${H[@]}" "$report_ok" --bench "$bench" --out /proc/x.json
refuses "'adir'" "${H[@]}" "$report_ok" --bench "$bench" --out adir
refuses "'afile/x.json'" "${H[@]}" "$report_ok" --bench "$bench" --out afile/x.json
refuses "--backends ''" "${H[@]}" "$report_ok" --bench "$bench" --out o.json --backends ""
refuses "'hf-eager,'" "${H[@]}" "$report_ok" --bench "$bench" --out o.json --backends hf-eager,
refuses "named twice" "${H[@]}" "$report_ok" --bench "$bench" --out o.json --backends hf-eager,hf-eager
refuses "'('" "${H[@]}" "$report_ok" --bench "$bench" --out o.json --points '('
refuses "'nomatch'" "${H[@]}" "$report_ok" --bench "$bench" --out o.json --points nomatch
refuses "has no torch" "$fix/bare-python" "$s/peer_hf.py" "$report_ok" --bench "$bench" --out o.json
if "$py" -c 'import torch, transformers, safetensors' 2>/dev/null; then
  slow "'cuda:99'" "${H[@]}" "$fix/cuda99.json" --bench "$bench" --out o.json --points '^forward/'
  slow "'no-such-model'" "${H[@]}" "$fix/no-model.json" --bench "$bench" --out o.json --points '^forward/'
else
  echo "note: $py has no torch, transformers or safetensors: the device and model checks are not tried"
fi

# --- plot.py (the cheap checks, with a Python without matplotlib), the table scripts --------
L=("$py" "$s/plot.py")
refuses "list.json: expected an object" "${L[@]}" "$fix/list.json"
refuses "bad-utf8.json: cannot be read" "${L[@]}" "$fix/bad-utf8.json"
refuses "points[0].axes.batch" "${L[@]}" "$fix/batch-four.json"
refuses "--formats ''" "${L[@]}" "$report_ok" --out o --formats ""
refuses "'png,,svg'" "${L[@]}" "$report_ok" --out o --formats png,,svg
refuses "'png,png'" "${L[@]}" "$report_ok" --out o --formats png,png
refuses "'afile'" "${L[@]}" "$report_ok" --out afile
refuses "'afile/x'" "${L[@]}" "$report_ok" --out afile/x
refuses "'/proc/x'" "${L[@]}" "$report_ok" --out /proc/x
refuses "'/proc'" "${L[@]}" "$report_ok" --out /proc
refuses "has no matplotlib" "$fix/bare-python" "$s/plot.py" "$report_ok" --out o
refuses "expected \"shishu-bench/history\"" "${L[@]}" history "$report_ok" --out o
refuses "change point index 7" "${L[@]}" history "$fix/history-index.json" --out o
if [[ -n "$plot_py" ]]; then
  slow "'bogus'" "$plot_py" "$s/plot.py" "$report_ok" --out o/plots --formats png,bogus
fi
G=("$py" "$s/plot_planner.py")
refuses "expected a command, scores or plan" "${G[@]}"
refuses "list.json: expected an object" "${G[@]}" scores "$fix/list.json"
refuses "interpolated: missing" "${G[@]}" scores "$report_ok"
refuses "widths: missing" "${G[@]}" plan "$report_ok"
refuses "the front is empty" "${G[@]}" plan "$fix/empty-plan.json" --out o
refuses "'afile'" "${G[@]}" scores "$fix/scores.json" --out afile
refuses "has no matplotlib" "$fix/bare-python" "$s/plot_planner.py" scores "$fix/scores.json" --out o
refuses "required: report" "$py" "$s/gpu_speed_table.py"
refuses "--ceilings" "$py" "$s/gpu_speed_table.py" "$report_ok" --ceilings c.json
refuses "list.json: expected an object" "$py" "$s/gpu_speed_table.py" "$fix/list.json"
refuses "'x'" "$py" "$s/gate_quality_tables.py" adir x
refuses "'nope'" "$py" "$s/gate_quality_tables.py" nope 5
refuses "compare-aa.json: regressions" "$py" "$s/gate_quality_tables.py" "$fix/study" 5

echo "$cases cases, $fails failed"
((fails == 0))
