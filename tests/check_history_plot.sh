#!/usr/bin/env bash
# `shishu-report history --format json` of two reports, drawn by `plot.py history`.
# Usage: check_history_plot.sh PYTHON PLOT_PY SHISHU_REPORT REPORT OUT_DIR
set -euo pipefail
python=$1 plot=$2 report_exe=$3 report=$4 out=$5
rm -rf "$out"
mkdir -p "$out"
"$report_exe" history "$report" "$report" --format json --out "$out/history.json"
"$python" "$plot" history "$out/history.json" --out "$out"
for ext in png svg; do
  [[ -s "$out/history-latency_ms.$ext" ]] || { echo "missing or empty: $out/history-latency_ms.$ext"; exit 1; }
done
echo "history plot OK"
