#!/usr/bin/env bash
# Issue 20's speed stage: every target measured in one GPU call, against the ceilings
# measured in the same call, with Hugging Face beside us, and a table of target against
# measured. Needs a build (scripts/gpu.sh OUT --stage build). About 4 minutes on an H200.
#
#   scripts/gpu-speed.sh OUT [--bin SHISHU_BENCH] [--preset gpu-speed] [--peer-points REGEX]
#                            [--python PYTHON]   (one with torch and transformers; python3)
#
# OUT gets ceilings.json (shishu-bench ceilings), run/ (the gpu-speed sweep: report,
# tables), run/with-peer.json (ours and transformers' hf-eager and hf-compiled points),
# targets.md (scripts/gpu_speed_table.py) and speed.log.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:?usage: gpu-speed.sh OUT [--bin SHISHU_BENCH] [--preset gpu-speed] [--peer-points REGEX]}
shift
bin="$root/build/gpu/release/cli/shishu-bench" preset=gpu-speed python=python3
peer_points='^generate/(mobilellm|shishulm)-125m(-s)?/bf16/cuda[:0-9]*/eager/b1/'
while (($#)); do
  case "$1" in
    --bin) bin=$2 ;; --preset) preset=$2 ;; --peer-points) peer_points=$2 ;; --python) python=$2 ;;
    *) echo "gpu-speed: error: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift 2 || { echo "gpu-speed: error: '$1' needs a value" >&2; exit 2; }
done
[[ -x "$bin" ]] || { echo "gpu-speed: error: no shishu-bench at $bin (scripts/gpu.sh OUT --stage build)" >&2; exit 2; }
report="$(dirname "$bin")/shishu-report"
mkdir -p "$out"
device=$("$bin" run --preset "$preset" --list 2>/dev/null | head -1 | cut -d/ -f4)
{
  "$bin" ceilings --device "${device:-cuda}" --json >"$out/ceilings.json"
  "$bin" run --preset "$preset" --out "$out/run"
  "$report" table "$out/run/report.json" --out "$out/run/tables.md"
  "$python" "$root/scripts/peer_hf.py" "$out/run/report.json" --bench "$bin" --out "$out/run/with-peer.json" \
    --points "$peer_points"
  "$report" table "$out/run/with-peer.json" --only generation --out "$out/run/with-peer-tables.md"
  python3 "$root/scripts/gpu_speed_table.py" "$out/run/with-peer.json" | tee "$out/targets.md"
} 2>&1 | tee "$out/speed.log"
