#!/usr/bin/env bash
# Google Benchmark's own JSON output passes through `run` untouched, and its compare.py
# reads two of them. Usage: check_gbench_compare.sh SHISHU_BENCH COMPARE_PY PRESET OUT_DIR
set -euo pipefail
bench=$1 compare=$2 preset=$3 out=$4
rm -rf "$out"
mkdir -p "$out"
for run in a b; do
  "$bench" run --preset "$preset" --models 125m:2 --phase forward --seq 8 --reps 3 --warmup 0 --out "$out/run-$run" \
    --benchmark_out="$out/$run.json" --benchmark_out_format=json >/dev/null 2>&1
  [[ -s "$out/$run.json" ]] || { echo "no --benchmark_out file for run $run"; exit 1; }
done
# Debian's compare.py needs Debian's python3 with python3-scipy, not any python3 on PATH.
/usr/bin/python3 "$compare" benchmarks "$out/a.json" "$out/b.json" >"$out/compare.txt" 2>&1 ||
  { cat "$out/compare.txt"; echo "compare.py failed"; exit 1; }
grep -q "forward/125m:2/fp32/cpu/eager/b1/t8" "$out/compare.txt" || { cat "$out/compare.txt"; echo "point missing"; exit 1; }
echo "compare.py OK"
