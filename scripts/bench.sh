#!/usr/bin/env bash
# Set up, build and run the main job: `shishu-bench run` with its default preset,
# cpu-default without a GPU and ci-gpu with one. Then write the paper-style tables,
# the architecture comparison and the plots next to the report. Extra arguments go to
# `run` (e.g. --preset paper, --models ..., --out DIR, --benchmark_filter=...).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
configure_and_build
cd "$root"

# The run folder: the one given with --out or --resume, else a fresh timestamped one.
out=""
args=("$@")
for ((i = 0; i < ${#args[@]}; ++i)); do
  case "${args[i]}" in
    --out|--resume) out="${args[i + 1]:-}" ;;
    --out=*|--resume=*) out="${args[i]#*=}" ;;
  esac
done
if [[ -z "$out" ]]; then
  out="reports/runs/$(date -u +%Y%m%dT%H%M%SZ)-bench"
  args+=(--out "$out")
fi

status=0
"$build_dir/cli/shishu-bench" run "${args[@]}" || status=$?
if [[ ! -f "$out/report.json" ]]; then
  echo "bench: no report was written (exit status $status)" >&2
  exit "$status"
fi
report="$build_dir/cli/shishu-report"
"$report" table "$out/report.json" --out "$out/tables.md"
"$report" table "$out/report.json" --format latex --out "$out/tables.tex"
"$report" arch "$out/report.json" --out "$out/arch.md"
if [[ -n "${SHISHU_PLOT_PYTHON:-}" ]]; then
  "$SHISHU_PLOT_PYTHON" scripts/plot.py "$out/report.json" --out "$out/plots" --paper >/dev/null
  plots="$out/plots/"
else
  plots="(skipped: no matplotlib)"
fi
echo
echo "report:  $out/report.json"
echo "tables:  $out/tables.md, $out/tables.tex"
echo "arch:    $out/arch.md"
echo "plots:   $plots"
exit "$status"
