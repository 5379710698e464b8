#!/usr/bin/env bash
# Renders a report with scripts/plot.py and checks that every figure exists, non-empty,
# in both formats. Usage: check_plots.sh PYTHON PLOT_PY REPORT OUT_DIR
set -euo pipefail
python=$1 plot=$2 report=$3 out=$4
rm -rf "$out"
"$python" "$plot" "$report" --out "$out" --paper
for figure in latency_vs_seq generation_vs_gen throughput_vs_batch memory_bars; do
  for ext in png svg; do
    file="$out/$figure-fp32-cpu-eager.$ext"
    [[ -s "$file" ]] || { echo "missing or empty: $file"; exit 1; }
  done
done
# A PNG starts with its 8-byte signature; an SVG is XML with an <svg> root.
head -c 8 "$out/memory_bars-fp32-cpu-eager.png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a"
grep -q "<svg" "$out/memory_bars-fp32-cpu-eager.svg"
echo "plots OK"
