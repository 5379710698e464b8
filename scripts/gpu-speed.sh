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
# Every argument is checked first: a refusal is exit 2 naming the value, with nothing
# written. A CUDA preset without a GPU is refused at once; any other preset is planned by
# the binary (`run --list`), which refuses one with points this machine cannot run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prog=gpu-speed
# shellcheck source=scripts/lib/args.sh
source "$root/scripts/lib/args.sh"
usage="usage: gpu-speed.sh OUT [--bin SHISHU_BENCH] [--preset gpu-speed] [--peer-points REGEX] [--python PYTHON]"
(($#)) || bad "no OUT folder given ($usage)"
out=$1
[[ "$out" != -* ]] || bad "'$out' is not an OUT folder ($usage)"
shift
bin="$root/build/gpu/release/cli/shishu-bench" preset=gpu-speed python=python3
peer_points='^generate/(mobilellm|shishulm)-125m(-s)?/bf16/cuda[:0-9]*/eager/b1/'
while (($#)); do
  case "$1" in
    --bin) need_value "$@"; bin=$2 ;;
    --preset) need_value "$@"; preset=$2 ;;
    --peer-points) (($# >= 2)) || bad "option '$1' needs a value"; peer_points=$2 ;;  # empty: every point
    --python) need_value "$@"; python=$2 ;;
    *) bad "unknown option '$1' ($usage)" ;;
  esac
  shift 2
done
[[ -f "$bin" && -x "$bin" ]] || bad "--bin '$bin' is not an executable (build one: scripts/gpu.sh OUT --stage build)"
report="$(dirname "$bin")/shishu-report"
[[ -f "$report" && -x "$report" ]] || bad "--bin '$bin': no shishu-report beside it"
command -v "$python" >/dev/null || bad "--python '$python' is not a program here"
# The peer's modules are looked up, not imported (importing torch takes seconds), and the
# regular expression is compiled by the Python that will use it.
problem=$("$python" - "$python" "$peer_points" 2>&1 <<'PY'
import importlib.util, re, sys
missing = [m for m in ("torch", "transformers", "safetensors") if importlib.util.find_spec(m) is None]
if missing:
    sys.exit(f"--python '{sys.argv[1]}' has no {', '.join(missing)}")
try:
    re.compile(sys.argv[2])
except re.error as e:
    sys.exit(f"--peer-points '{sys.argv[2]}': {e}")
PY
) || bad "$problem"
[[ ! -e "$out/run/journal.jsonl" ]] || bad "OUT '$out' already holds a run (run/journal.jsonl): give another OUT"
out_dir OUT "$out"
preset_file "$preset" >/dev/null || bad "--preset '$preset': no built-in preset or file of that name"
if ! why=$(visible_gpu) && needs_cuda "$preset"; then
  bad "--preset $preset runs on CUDA, and no GPU is visible ($why)"
fi
runs_here "$bin" --preset "$preset" >/dev/null
device=$("$bin" run --preset "$preset" --list 2>/dev/null | head -1 | cut -d/ -f4)
{
  # Written beside, then renamed: a failed measurement leaves no empty ceilings.json.
  "$bin" ceilings --device "${device:-cuda}" --json >"$out/ceilings.json.tmp" || { rm -f "$out/ceilings.json.tmp"; exit 1; }
  mv "$out/ceilings.json.tmp" "$out/ceilings.json"
  "$bin" run --preset "$preset" --out "$out/run"
  "$report" table "$out/run/report.json" --out "$out/run/tables.md"
  "$python" "$root/scripts/peer_hf.py" "$out/run/report.json" --bench "$bin" --out "$out/run/with-peer.json" \
    --points "$peer_points"
  "$report" table "$out/run/with-peer.json" --only generation --out "$out/run/with-peer-tables.md"
  python3 "$root/scripts/gpu_speed_table.py" "$out/run/with-peer.json" | tee "$out/targets.md"
} 2>&1 | tee "$out/speed.log"
