#!/usr/bin/env bash
# A sharded sweep on Slurm: a job array of N shards (scripts/slurm/shard.sbatch, each
# `shishu-bench run --shard auto`) and a merge job (merge.sbatch) that Slurm starts after
# the array however it ended (--dependency=afterany), so the merge always runs and says
# what is missing.
#
#   scripts/slurm/submit.sh RUN_DIR N [shishu-bench run arguments]   e.g. runs/paper 8 --preset paper
#   scripts/slurm/submit.sh --resume RUN_DIR INDEX...                 the shards the merge named
#
# --resume continues each given shard's folder (only the points its journal lacks run)
# and submits a new merge after them. The run arguments are checked with `--list` before
# anything is queued (exit 2 names the bad value) and kept in RUN_DIR/slurm/, with the
# binaries' folder (SHISHU_BIN_DIR, default build/release/cli) and N, for --resume and
# the merge. Site options for the shard jobs (not the merge, which needs no GPU) go in
# SHISHU_SHARD_SBATCH, e.g. "--gres=gpu:1 --time=04:00:00 --partition=gpu".
# Prints "array=JOBID merge=JOBID" last.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage="usage: submit.sh RUN_DIR N [run arguments] | submit.sh --resume RUN_DIR INDEX..."
bad() { echo "submit.sh: $*" >&2; exit 2; }

resume=0
if [[ ${1:-} == --resume ]]; then resume=1; shift; fi
(($# >= 2)) || bad "$usage"
run=$(realpath -m "$1")
state="$run/slurm"
shift
# Word splitting is wanted: the variable holds several sbatch options.
# shellcheck disable=SC2206
site=(${SHISHU_SHARD_SBATCH:-})

if ((resume)); then
  [[ -f "$state/shards" ]] || bad "$run was not submitted by submit.sh (no $state/shards)"
  n=$(cat "$state/shards")
  for i in "$@"; do
    if [[ ! $i =~ ^[0-9]+$ ]] || ((10#$i >= n)); then bad "shard index '$i' is not one of 0..$((n - 1))"; fi
  done
  indices=$(IFS=,; echo "$*")
  array=(--array="$indices" "$here/shard.sbatch" "$run" --resume)
else
  n=$1
  shift
  if [[ ! $n =~ ^[0-9]+$ ]] || ((10#$n < 1)); then bad "N '$n' must be a whole number of shards, at least 1"; fi
  n=$((10#$n))
  [[ ! -e "$state" ]] || bad "$run was submitted already; continue it with: submit.sh --resume $run INDEX..."
  for a in "$@"; do
    case "$a" in --out|--out=*|--resume|--resume=*|--shard|--shard=*|--shard-count|--shard-count=*)
      bad "'$a' is set by submit.sh, not given to it" ;;
    esac
  done
  bin=$(realpath -m "${SHISHU_BIN_DIR:-$here/../../build/release/cli}")
  [[ -x "$bin/shishu-bench" && -x "$bin/shishu-report" ]] || bad "no shishu-bench and shishu-report in $bin (set SHISHU_BIN_DIR)"
  "$bin/shishu-bench" run --list "$@" >/dev/null || bad "the run arguments were refused (above)"
  mkdir -p "$state/logs"
  echo "$n" >"$state/shards"
  echo "$bin" >"$state/bin"
  echo "$here" >"$state/scripts"
  printf '%s\0' "$@" >"$state/args"
  array=(--array="0-$((n - 1))" "$here/shard.sbatch" "$run")
fi

jobid() { local id; id=$(sbatch --parsable "$@") && echo "${id%%;*}"; }
shards_job=$(jobid --job-name=shishu-shard --output="$state/logs/shard-%A_%a.out" "${site[@]}" "${array[@]}")
merge_job=$(jobid --job-name=shishu-merge --dependency="afterany:$shards_job" --output="$state/logs/merge-%j.out" \
  "$here/merge.sbatch" "$run")
echo "array=$shards_job merge=$merge_job"
