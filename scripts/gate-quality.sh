#!/usr/bin/env bash
# Measures the regression gate itself, for both of its methods, on this machine:
#   false alarms: A/A comparisons (the same binary on both sides);
#   power:        planted slowdowns of 5, 10 and 20% (run --inject-slowdown) on the new side.
#
#   scripts/gate-quality.sh OUT [--blocks 20] [--rounds 6] [--unpaired-reps 5] [--arms "base aa s5 s10 s20"]
#                               [--preset gate-quality] [--bin shishu-bench] [--report shishu-report]
#                               [--run-args "ARGS"]   (more `run` arguments for every process)
#   scripts/gate-quality.sh --analyse OUT [--threshold 5] [--confidence 0.95]
#
# Each block measures five arms with one binary: base, aa (base again), s5, s10 and s20
# (--arms picks fewer; base and aa are needed for the A/A).
#  - paired: ROUNDS rounds; a round runs every arm once (--reps 1, as scripts/ab.sh
#    does), in an order rotated from round to round and reversed every other round, so
#    no arm always runs first or last. Comparing base with an arm, paired by round, is
#    exactly what scripts/ab.sh does with two binaries.
#  - unpaired: one report per arm with --reps UNPAIRED_REPS, compared as two plain files.
# A block's arms are compared with its own base only. Finished processes are kept: run
# the same command again to continue. --analyse prints the Markdown tables of
# reports/PERFORMANCE.md from OUT. While a file OUT/pause exists, no new process starts.
# Every argument is checked before any process starts: a refusal is exit 2 naming the
# value, with nothing written.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prog=gate-quality
# shellcheck source=scripts/lib/args.sh
source "$root/scripts/lib/args.sh"

analyse=0 blocks=20 rounds=6 unpaired_reps=5 preset=gate-quality threshold=5 confidence=0.95 run_args=()
known_arms=(base aa s5 s10 s20)
arms=("${known_arms[@]}")  # base is always compared with every other arm of its block
bin="$root/build/release/cli/shishu-bench" report="$root/build/release/cli/shishu-report"
[[ ${1:-} == --analyse ]] && { analyse=1; shift; }
out=${1:-}; [[ -n "$out" && "$out" != -* ]] || bad "no OUT folder given (usage: scripts/gate-quality.sh [--analyse] OUT [options])"
shift
while (($#)); do
  case "$1" in
    --run-args) (($# >= 2)) || bad "option '$1' needs a value"; read -ra run_args <<<"$2" ;;
    --blocks|--rounds|--unpaired-reps|--preset|--bin|--report|--arms|--threshold|--confidence) need_value "$@" ;;&
    --blocks) blocks=$2 ;; --rounds) rounds=$2 ;; --unpaired-reps) unpaired_reps=$2 ;;
    --preset) preset=$2 ;; --bin) bin=$2 ;; --report) report=$2 ;; --arms) read -ra arms <<<"$2" ;;
    --threshold) threshold=$2 ;; --confidence) confidence=$2 ;;
    *) bad "unknown option '$1'" ;;
  esac
  shift 2
done
count --blocks "$blocks" 1000
count --rounds "$rounds" 1000
count --unpaired-reps "$unpaired_reps" 1000
for arm in "${arms[@]}"; do
  [[ " ${known_arms[*]} " == *" $arm "* ]] || bad "--arms: unknown arm '$arm' (known: ${known_arms[*]})"
  [[ $(printf '%s\n' "${arms[@]}" | grep -cx -- "$arm") == 1 ]] || bad "--arms: '$arm' is given twice"
done
[[ " ${arms[*]} " == *" base "* && ${#arms[@]} -ge 2 ]] || bad "--arms '${arms[*]}': base and at least one arm to compare with it"
for a in "${run_args[@]}"; do
  [[ $a != --out* && $a != --resume* && $a != --reps* && $a != --inject-slowdown* ]] ||
    bad "--run-args must not set $a: each process's folder, repetitions and slowdown are set here"
done
slowdown() { case "$1" in s*) echo "--inject-slowdown ${1#s}" ;; esac; }

if ((analyse)); then
  [[ -d "$out" ]] || bad "OUT '$out' is not a folder"
  [[ -f "$report" && -x "$report" ]] || bad "--report '$report' is not an executable"
  compare_accepts "$report" --threshold "$threshold" --confidence "$confidence"
  for method in paired unpaired; do
    for b in "$out/$method"/block-*; do
      [[ -d "$b" ]] || continue
      for arm in aa s5 s10 s20; do
        [[ -e "$b/$arm" ]] || continue
        if [[ $method == paired ]]; then
          base="$b/base" new="$b/$arm" last=$(printf 'round-%02d/report.json' "$rounds")
          [[ -e "$base/$last" && -e "$new/$last" ]] || continue  # a block still running
        else
          base="$b/base/report.json" new="$b/$arm/report.json"
          [[ -e "$base" && -e "$new" ]] || continue
        fi
        status=0
        "$report" compare "$base" "$new" --threshold "$threshold" --confidence "$confidence" \
          --json "$b/compare-$arm.json" >"$b/compare-$arm.md" || status=$?
        ((status <= 1)) || bad "compare failed on $b/$arm (exit $status)"
      done
    done
  done
  exec python3 "$root/scripts/gate_quality_tables.py" "$out" "$threshold"
fi

[[ -f "$bin" && -x "$bin" ]] || bad "--bin '$bin' is not an executable (build first: scripts/test.sh, or pass --bin)"
preset_file "$preset" >/dev/null || bad "--preset '$preset': no built-in preset or file of that name"
out_dir OUT "$out"
if ! why=$(visible_gpu) && needs_cuda "$preset" "${run_args[@]}"; then
  bad "--preset $preset runs on CUDA, and no GPU is visible ($why)"
fi
runs_here "$bin" --preset "$preset" "${run_args[@]}" >/dev/null
total=$((blocks * (rounds + 1) * ${#arms[@]})) done_count=0 started=$(date +%s)
run_one() {  # DIR REPS ARM
  done_count=$((done_count + 1))
  [[ -f "$1/report.json" ]] && return 0
  # OUT/pause holds the study between processes, so that other work on the machine
  # (a build) never overlaps a measurement.
  while [[ -e "$out/pause" ]]; do sleep 1; done
  rm -rf "$1"
  # shellcheck disable=SC2046
  "$bin" run --preset "$preset" --reps "$2" --out "$1" "${run_args[@]}" $(slowdown "$3") >"$1.log" 2>&1 ||
    { echo "gate-quality: $1 failed (log: $1.log)" >&2; return 1; }
  local now=$(($(date +%s) - started))
  printf 'gate-quality: %d/%d %s (%ds elapsed)\n' "$done_count" "$total" "$1" "$now" >&2
}
for ((b = 1; b <= blocks; ++b)); do
  block=$(printf 'block-%02d' "$b")
  for ((r = 1; r <= rounds; ++r)); do
    order=()
    for ((k = 0; k < ${#arms[@]}; ++k)); do order+=("${arms[(k + r + b) % ${#arms[@]}]}"); done
    ((r % 2)) || order=($(printf '%s\n' "${order[@]}" | tac))
    for arm in "${order[@]}"; do
      mkdir -p "$out/paired/$block/$arm"
      run_one "$out/paired/$block/$arm/$(printf 'round-%02d' "$r")" 1 "$arm"
    done
  done
  for ((k = 0; k < ${#arms[@]}; ++k)); do
    arm=${arms[(k + b) % ${#arms[@]}]}
    mkdir -p "$out/unpaired/$block"
    run_one "$out/unpaired/$block/$arm" "$unpaired_reps" "$arm"
  done
done
echo "gate-quality: done; tables: scripts/gate-quality.sh --analyse $out" >&2
