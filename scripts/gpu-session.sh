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
#   long    issue 25's long-context preset (decode at depth 4k-32k, prefill to 32k, 125M to
#           1.5B) with its tables; cut at the deadline by SIGINT, its run folder kept in
#           build/gpu-long-run, so a second call on the warm machine resumes it
#   planner issue 26's calibration on the device (the calibrate-gpu preset: four small
#           layouts at each of the paper's five widths), one cost model a width, and the
#           paper preset's points predicted from them (Tables 6-10 before measuring)
#   paper   shards of the paper preset while time remains; with planner, the predictions
#           are then scored against the measured shards (planner-score.tar.gz)
# Every argument is checked before anything starts, in well under a second: a refusal is
# exit 2 naming the value, with nothing written. Every step needs a GPU, so a machine
# without one is refused at once (nvidia-smi, or CUDA_VISIBLE_DEVICES hiding them all).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prog=gpu-session
# shellcheck source=scripts/lib/args.sh
source "$root/scripts/lib/args.sh"
known_steps=(first memory gate speed aa long planner paper)
usage="usage: gpu-session.sh OUT [--minutes N] [--steps $(IFS=,; echo "${known_steps[*]}")]"
(($#)) || bad "no OUT folder given ($usage)"
[[ "$1" != -h && "$1" != --help ]] || { echo "$usage"; exit 0; }
out=$1
[[ "$out" != -* ]] || bad "'$out' is not an OUT folder ($usage)"
minutes=9 steps=first,memory,gate,speed,aa,paper
shift
while (($#)); do
  case "$1" in
    --minutes) need_value "$@"; minutes=$2 ;;
    --steps) need_value "$@"; steps=$2 ;;
    *) bad "unknown option '$1' ($usage)" ;;
  esac
  shift 2
done
count --minutes "$minutes" 1440
[[ "$steps" =~ ^[a-z]+(,[a-z]+)*$ ]] || bad "--steps '$steps': expected step names separated by commas"
for s in ${steps//,/ }; do
  [[ " ${known_steps[*]} " == *" $s "* ]] || bad "--steps: unknown step '$s' (known: ${known_steps[*]})"
done
want() { [[ ",$steps," == *",$1,"* ]]; }
# The first step (gpu.sh --stage first, or the build when first is not asked for) must
# fit, or the call would only report skips.
opening=build opening_s=120
want first && opening=first opening_s=200
((minutes * 60 >= opening_s)) || bad "--minutes $minutes: the $opening step alone needs about $opening_s s"
work="$root/build/gpu-session"
[[ "$(realpath -m -- "$out")/" != "$work/"* ]] || bad "OUT '$out' lies in $work, which each session wipes"
out_dir OUT "$out"
why=$(visible_gpu) || bad "no GPU visible ($why): step '${steps%%,*}' needs one"
out=$(cd "$out" && pwd)
rm -rf "$work" && mkdir -p "$work"
deadline=$(($(date +%s) + minutes * 60))
bin="$root/build/gpu/release/cli/shishu-bench" report="$root/build/gpu/release/cli/shishu-report"
note() { printf '%s\n' "$*" | tee -a "$out/session.txt" >&2; }
left() { echo $((deadline - $(date +%s))); }
pack() { tar -czf "$out/$1.tar.gz" -C "$work" "$1" 2>/dev/null; }
skipped=75  # step's status when too little time is left to start it
step() {  # NAME NEEDED_SECONDS COMMAND...
  local name=$1 need=$2 t0 rc=0; shift 2
  if (($(left) < need)); then note "$name: skipped, $(left) s left and it needs about $need s"; return "$skipped"; fi
  t0=$(date +%s)
  mkdir -p "$work/$name"
  "$@" >"$work/$name/log.txt" 2>&1 || rc=$?
  pack "$name"
  note "$name: exit $rc in $(($(date +%s) - t0)) s ($name.tar.gz)"
  return "$rc"
}

note "gpu-session: $(date -u +%FT%TZ), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null), $minutes minutes"
step "$opening" "$opening_s" "$root/scripts/gpu.sh" "$work/$opening/out" --stage "$opening"
rc=$?
if ((rc)); then
  note "$opening $( ((rc == skipped)) && echo "was skipped" || echo failed): nothing else runs"
  exit 1
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
# Seconds the steps asked after `long` need, so that it leaves them their time.
later_s=0
want planner && later_s=$((later_s + 200))
want paper && later_s=$((later_s + 90))
long() {
  # The run folder outlives the session's wipe of $work (build/ is kept between calls
  # while the machine stays warm), so a second call resumes the points the first ran;
  # a folder of another build is refused by --resume (exit 2) and started afresh.
  local keep="$root/build/gpu-long-run" args=(--preset long-context --ceilings) rc=0
  local budget=$(($(left) - 40 - later_s))
  ((budget >= 60)) || { echo "long: $budget s left before the later steps: not started"; return 75; }
  if [[ -f "$keep/run.json" ]]; then
    timeout --signal=INT "$budget" "$bin" run "${args[@]}" --resume "$keep" || rc=$?
  fi
  if [[ ! -f "$keep/run.json" ]] || ((rc == 2)); then
    rm -rf "$keep"
    rc=0
    timeout --signal=INT "$(($(left) - 40 - later_s))" "$bin" run "${args[@]}" --out "$keep" || rc=$?
  fi
  cp -r "$keep" "$work/long/run"
  ((rc == 0)) || return "$rc"
  "$report" long-context "$keep/report.json" --out "$work/long/run/long-context.md"
}
want long && step long 120 long
widths=(125m 350m 600m 1b 1.5b)
planner() {
  local d="$work/planner" w
  # A failed point is recorded and the report still written: calibrate on the rest.
  "$bin" run --preset calibrate-gpu --ceilings --out "$d/calibration" || [[ -f "$d/calibration/report.json" ]] ||
    return 1
  for w in "${widths[@]}"; do
    "$report" calibrate "$d/calibration" --layouts "$w:2,$w:6,$w:2+4,$w:2+2*2" --out "$d/model-$w.json" \
      >"$d/model-$w.txt" || return
    "$report" predict "$d/model-$w.json" --preset paper --models "mobilellm-$w,shishulm-$w,shishulm-$w-s" \
      --out "$d/paper-$w.json" || return
    "$report" table "$d/paper-$w.json" --out "$d/paper-$w.md" || return
  done
}
want planner && step planner 200 planner
# At most 8 files come back: session.txt, the tarballs so far, and planner-score's.
score_file=0
want planner && score_file=1
files_after_next() { echo $(($(find "$out" -maxdepth 1 -type f | wc -l) + 1 + score_file)); }
shard=0
while want paper && (($(left) > 90)) && (($(files_after_next) <= 8)); do
  step "paper-$shard" 90 "$bin" run --preset paper --shard "$shard/40" --no-ceilings --out "$work/paper-$shard/run" || true
  shard=$((shard + 1))
done
# The planner's predictions against what the paper shards measured, width by width: a
# shard holds whole models, so each width is scored on the models its shards hold.
planner_score() {
  local d="$work/planner-score" w models scored=0 shards=("$work"/paper-*/run/report.json)
  [[ -f "${shards[0]}" ]] || { echo "no paper shard finished: nothing to score"; return 1; }
  "$report" merge "${shards[@]}" --out "$d/paper-measured.json"  # exit 3: incomplete, as expected
  [[ -f "$d/paper-measured.json" ]] || return 1
  for w in "${widths[@]}"; do
    models=$(python3 -c 'import json, sys
names = {p["axes"]["model"] for p in json.load(open(sys.argv[1]))["points"] if p["status"] == "ok"}
print(",".join(m for m in ("mobilellm-" + sys.argv[2], "shishulm-" + sys.argv[2], "shishulm-" + sys.argv[2] + "-s")
               if m in names))' "$d/paper-measured.json" "$w")
    [[ -n "$models" ]] || { echo "$w: no measured point"; continue; }
    if "$report" predict "$work/planner/model-$w.json" --against "$d/paper-measured.json" --models "$models" \
      --out "$d/score-$w.json" >"$d/score-$w.txt" 2>&1; then scored=$((scored + 1)); else
      echo "$w: $(tail -1 "$d/score-$w.txt")"; fi
  done
  ((scored > 0))
}
want planner && want paper && [[ -f "$work/planner/model-125m.json" ]] && step planner-score 20 planner_score
note "gpu-session: done, $(left) s before the deadline"
