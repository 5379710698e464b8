#!/usr/bin/env bash
# One prepared call on a lent GPU machine with a few minutes and a few returned files
# (the project's device sessions: 15 minutes in all, 10 a call, 8 files of 16 MB back).
# Every step writes its own tarball under OUT as soon as it ends, most important first,
# so a call cut short still returns what finished; a step that would not fit before the
# deadline is skipped and says so.
#
#   scripts/gpu-session.sh OUT [--minutes 9] [--steps first,memory,gate,speed,aa,paper]
#
# Two calls fit a 15-minute lease: `--steps first,memory,gate`, then (the machine still
# warm, build/gpu kept) `--steps speed,aa,paper`. A call without `first` builds first
# (a no-op when the build is there).
# Steps (each OUT/<step>.tar.gz, and one line in OUT/session.txt):
#   first   scripts/gpu.sh --stage first: build, GPU + unit tests, the gpu-smoke sweep
#           (issue 18's first contact; its summary says which dependency came from where)
#   memory  the 125M family's memory table (forward 2048, generate 2048 + 128, bf16,
#           batch 1) with the measured ceilings, and allocator snapshots of ShishuLM-S
#   gate    scripts/gpu.sh --stage gate: A/A and planted 5% and 10% slowdowns (issue 19)
#   speed   scripts/gpu-speed.sh: issue 20's targets, the ceilings and the HF peer
#   aa      ci-gpu's generation points twice, interleaved (scripts/ab.sh --bin X X)
#   paper   shards of the paper preset while time remains
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:?usage: gpu-session.sh OUT [--minutes N]}
minutes=9 steps=first,memory,gate,speed,aa,paper
shift
while (($#)); do
  case "$1" in
    --minutes) minutes=${2:-} ;; --steps) steps=${2:-} ;;
    *) echo "gpu-session: error: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift 2 || { echo "gpu-session: error: '$1' needs a value" >&2; exit 2; }
done
[[ "$minutes" =~ ^[0-9]+$ ]] || { echo "gpu-session: --minutes '$minutes' is not a whole number" >&2; exit 2; }
for s in ${steps//,/ }; do
  [[ "$s" =~ ^(first|memory|gate|speed|aa|paper)$ ]] || { echo "gpu-session: --steps: unknown step '$s'" >&2; exit 2; }
done
want() { [[ ",$steps," == *",$1,"* ]]; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$root/build/gpu-session"
rm -rf "$work" && mkdir -p "$work"
deadline=$(($(date +%s) + minutes * 60))
bin="$root/build/gpu/release/cli/shishu-bench" report="$root/build/gpu/release/cli/shishu-report"
note() { printf '%s\n' "$*" | tee -a "$out/session.txt" >&2; }
left() { echo $((deadline - $(date +%s))); }
pack() { tar -czf "$out/$1.tar.gz" -C "$work" "$1" 2>/dev/null; }
step() {  # NAME NEEDED_SECONDS COMMAND...
  local name=$1 need=$2 t0 rc=0; shift 2
  if (($(left) < need)); then note "$name: skipped, $(left) s left and it needs about $need s"; return 1; fi
  t0=$(date +%s)
  mkdir -p "$work/$name"
  "$@" >"$work/$name/log.txt" 2>&1 || rc=$?
  pack "$name"
  note "$name: exit $rc in $(($(date +%s) - t0)) s ($name.tar.gz)"
  return "$rc"
}

note "gpu-session: $(date -u +%FT%TZ), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null), $minutes minutes"
if want first; then
  step first 200 "$root/scripts/gpu.sh" "$work/first/out" --stage first || { note "first failed: nothing else runs"; exit 1; }
else
  step build 120 "$root/scripts/gpu.sh" "$work/build/out" --stage build || { note "build failed: nothing else runs"; exit 1; }
fi

memory() {
  "$bin" run --preset gpu-memory --ceilings --out "$work/memory/run" &&
    "$bin" run --preset gpu-memory --models shishulm-125m-s --no-ceilings --reps 1 \
      --memory-snapshot --out "$work/memory/snapshots" &&
    "$report" table "$work/memory/run/report.json" --out "$work/memory/run/tables.md"
}
want memory && step memory 90 memory
want gate && step gate 260 "$root/scripts/gpu.sh" "$work/gate/out" --stage gate
want speed && step speed 260 "$root/scripts/gpu-speed.sh" "$work/speed/out" --bin "$bin"
aa() {
  "$root/scripts/ab.sh" --bin "$bin" "$bin" --rounds 3 --report "$report" --out "$work/aa/ab" -- \
    --preset ci-gpu --phase generate --models mobilellm-125m,shishulm-125m-s --no-ceilings
}
want aa && step aa 150 aa
shard=0
while want paper && (($(left) > 90)); do
  step "paper-$shard" 90 "$bin" run --preset paper --shard "$shard/40" --no-ceilings --out "$work/paper-$shard/run" || true
  shard=$((shard + 1))
  ((shard < 3)) || break  # at most 3 parts back: 8 files in all
done
note "gpu-session: done, $(left) s before the deadline"
