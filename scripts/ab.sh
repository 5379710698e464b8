#!/usr/bin/env bash
# Interleaved A/B on one machine: is NEW slower than BASE, and how sure are we?
#
#   scripts/ab.sh [options] BASE_REV [NEW_REV] [-- run arguments]
#   scripts/ab.sh [options] --bin BASE_EXE NEW_EXE [-- run arguments]
#
# Builds both revisions (git worktrees under build/ab/, one shared ccache; NEW_REV
# defaults to this working tree), or takes two shishu-bench binaries as they are. Then
# runs them in alternating rounds, ABBA order (base-new, new-base, base-new, ...): each
# round is one process per side that runs every point of the sweep once after its
# warm-up (--reps 1 unless the run arguments say otherwise). The machine's drift between
# rounds hits both sides of a round alike, and the process, not the repetition, is the
# unit of replication. Finally `shishu-report compare OUT/base OUT/new` pairs the rounds.
#
# Options:
#   --rounds N                 rounds (default 6)
#   --out DIR                  output folder (default reports/runs/ab-<UTC time>)
#   --resume                   continue an interrupted A/B in --out DIR
#   --new-args "ARGS"          run arguments for the new side only (e.g. --inject-slowdown 10)
#   --threshold PCT, --metric-threshold M=PCT, --confidence C, --allow-context-mismatch,
#   --summary FILE             passed to shishu-report compare
#   --report EXE               the shishu-report to compare with (default: built from this tree)
# OUT holds base/round-NN/ and new/round-NN/ (each a run folder with its report.json),
# ab.json (what was compared, how), comparison.md and comparison.json.
# Exit status, like compare: 0 no regression, 1 a regression, 2 bad input.
# Every argument is checked before anything is built or run (the run arguments, by the
# binaries, once there are binaries): a refusal is exit 2 naming the value.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prog=ab
# shellcheck source=scripts/lib/args.sh
source "$root/scripts/lib/args.sh"
say() { printf 'ab: %s\n' "$*" >&2; }

rounds=6 out="" resume=0 new_args="" report="" bins=() revs=() run_args=() compare_args=()
while (($#)); do
  case "$1" in
    --rounds|--out|--report|--threshold|--metric-threshold|--confidence|--summary) need_value "$@" ;;&
    --rounds) rounds=$2; shift ;;
    --out) out=$2; shift ;;
    --resume) resume=1 ;;
    --new-args) (($# >= 2)) || bad "option '$1' needs a value"; new_args=$2; shift ;;
    --bin) (($# >= 3)) || bad "option '--bin' needs two values, BASE_EXE and NEW_EXE"; bins=("$2" "$3"); shift 2 ;;
    --report) report=$2; shift ;;
    --threshold|--metric-threshold|--confidence|--summary) compare_args+=("$1" "$2"); shift ;;
    --allow-context-mismatch) compare_args+=("$1") ;;
    --) shift; run_args=("$@"); break ;;
    -*) bad "unknown option '$1' (run arguments go after --)" ;;
    *) revs+=("$1") ;;
  esac
  shift
done
count --rounds "$rounds" 10000
((rounds >= 6)) || say "warning: $rounds rounds cannot reach 95% confidence (the signed-rank test needs 6)"
if ((${#bins[@]})); then
  ((${#revs[@]} == 0)) || bad "give revisions or --bin BASE_EXE NEW_EXE, not both (revisions: ${revs[*]})"
  for b in "${bins[@]}"; do [[ -f "$b" && -x "$b" ]] || bad "--bin '$b' is not an executable"; done
else
  ((${#revs[@]} >= 1 && ${#revs[@]} <= 2)) || bad "usage: scripts/ab.sh [options] BASE_REV [NEW_REV] [-- run arguments]"
  for rev in "${revs[@]}"; do
    git -C "$root" rev-parse --verify --quiet "$rev^{commit}" >/dev/null || bad "unknown revision '$rev'"
  done
fi
reps_given=0
for a in "${run_args[@]}"; do [[ $a == --reps || $a == --reps=* ]] && reps_given=1; done
((reps_given)) || run_args+=(--reps 1)
# shellcheck disable=SC2086  # --new-args is split as the rounds split it
for a in "${run_args[@]}" $new_args; do
  [[ $a == --out* || $a == --resume* ]] && bad "run arguments must not set $a: ab.sh places every round"
done
if [[ -n "$report" ]]; then
  [[ -f "$report" && -x "$report" ]] || bad "--report '$report' is not an executable"
  compare_accepts "$report" "${compare_args[@]}"
fi

[[ -n "$out" ]] || out="$root/reports/runs/ab-$(date -u +%Y%m%dT%H%M%SZ)"
if [[ -d "$out" && -n "$(ls -A "$out" 2>/dev/null)" ]] && ((!resume)); then
  bad "$out exists and is not empty; continue it with --resume, or choose another --out"
fi
out_dir --out "$out"

# Setup and this tree's build: shishu-report, and shishu-bench when NEW is the working
# tree. Two given binaries and a given shishu-report need neither.
if ((${#bins[@]} == 0)) || [[ -z "$report" ]]; then
  # shellcheck source=scripts/env.sh
  source "$root/scripts/env.sh"
  configure_and_build >"$out/build-worktree.log" 2>&1 || { cat "$out/build-worktree.log" >&2; bad "this tree does not build"; }
  if [[ -z "$report" ]]; then
    report="$build_dir/cli/shishu-report"
    compare_accepts "$report" "${compare_args[@]}"
  fi
fi
[[ -x "$report" ]] || bad "--report '$report' is not an executable"

# Builds REV in its own worktree (kept under build/ab/ for the next A/B) and prints its binary.
build_rev() {
  local sha wt
  sha=$(git -C "$root" rev-parse "$1^{commit}")
  wt="$root/build/ab/src-$sha"
  if [[ ! -x "$wt/build/release/cli/shishu-bench" ]]; then
    say "building $1 ($sha) in $wt"
    [[ -d "$wt" ]] || git -C "$root" worktree add --detach --force "$wt" "$sha" >/dev/null 2>&1 ||
      bad "cannot create a worktree for '$1'"
    # One ccache for every tree: paths are rewritten relative to each tree's root, and
    # the build folder is not hashed, so unchanged files hit across revisions.
    (cd "$wt" && CCACHE_BASEDIR="$wt" CCACHE_NOHASHDIR=1 cmake --preset release >"$out/build-$sha.log" 2>&1 &&
      CCACHE_BASEDIR="$wt" CCACHE_NOHASHDIR=1 cmake --build --preset release --target shishu-bench >>"$out/build-$sha.log" 2>&1) ||
      bad "revision '$1' does not build (log: $out/build-$sha.log)"
  fi
  echo "$wt/build/release/cli/shishu-bench"
}
if ((${#bins[@]})); then
  base_bin=$(cd "$(dirname "${bins[0]}")" && pwd)/$(basename "${bins[0]}")
  new_bin=$(cd "$(dirname "${bins[1]}")" && pwd)/$(basename "${bins[1]}")
  base_desc="$base_bin" new_desc="$new_bin"
else
  base_bin=$(build_rev "${revs[0]}")
  base_desc="${revs[0]} ($(git -C "$root" rev-parse "${revs[0]}^{commit}"))"
  if ((${#revs[@]} == 2)); then
    new_bin=$(build_rev "${revs[1]}")
    new_desc="${revs[1]} ($(git -C "$root" rev-parse "${revs[1]}^{commit}"))"
  else
    new_bin="$build_dir/cli/shishu-bench"
    new_desc="working tree of $(git -C "$root" rev-parse HEAD)"
  fi
fi

# Both sides must expand the sweep to the same points, every one runnable here, before
# any time is spent. Only the ids count (the first tab-separated field): older binaries
# print no markers after them.
base_plan=$(runs_here "$base_bin" "${run_args[@]}") || exit 2
# shellcheck disable=SC2086
new_plan=$(runs_here "$new_bin" "${run_args[@]}" $new_args) || exit 2
cut -f1 <<<"$base_plan" >"$out/points-base.txt"
cut -f1 <<<"$new_plan" >"$out/points-new.txt"
cmp -s "$out/points-base.txt" "$out/points-new.txt" ||
  bad "the two sides expand the sweep to different points (see $out/points-base.txt and points-new.txt)"

python3 - "$out/ab.json" "$base_desc" "$new_desc" "$rounds" "${run_args[*]}" "$new_args" <<'PY'
import json, sys, datetime
path, base, new, rounds, args, new_args = sys.argv[1:]
json.dump({"base": base, "new": new, "rounds": int(rounds), "order": "ABBA: odd rounds base first, even rounds new first",
           "run_arguments": args, "new_only_arguments": new_args,
           "started_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
          open(path, "w"), indent=2)
PY

run_side() {  # SIDE ROUND
  local dir bin extra=""
  dir="$out/$1/$(printf 'round-%02d' "$2")"
  [[ -f "$dir/report.json" ]] && return 0
  rm -rf "$dir"
  mkdir -p "$out/$1"
  if [[ $1 == base ]]; then bin=$base_bin; else bin=$new_bin extra=$new_args; fi
  local started status=0
  started=$(date +%s)
  # shellcheck disable=SC2086
  "$bin" run "${run_args[@]}" $extra --out "$dir" >"$dir.log" 2>&1 || status=$?
  ((status != 2)) || bad "round $2 ($1) refused its input (log: $dir.log)"
  [[ -f "$dir/report.json" ]] || bad "round $2 ($1) wrote no report (exit $status; log: $dir.log)"
  say "round $2/$rounds: $1 done in $(($(date +%s) - started)) s$( ((status)) && echo ", with failed points")"
}
for ((r = 1; r <= rounds; ++r)); do
  if ((r % 2)); then run_side base "$r"; run_side new "$r"; else run_side new "$r"; run_side base "$r"; fi
done

status=0
"$report" compare "$out/base" "$out/new" --json "$out/comparison.json" "${compare_args[@]}" >"$out/comparison.md" || status=$?
cat "$out/comparison.md"
say "rounds, reports and comparison in $out"
exit "$status"
