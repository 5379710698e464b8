# shellcheck shell=bash
# Sourced by the scripts that take arguments: the refusals they share. The caller sets
# `prog` (the name its messages start with) first. A refusal is exit 2 with the value
# named, and comes before any work: an OUT folder that out_dir made is removed again
# (rmdir, so only while it is still empty) when a later check refuses.

_args_made=()  # the folders out_dir created, deepest first

bad() {
  # shellcheck disable=SC2154  # prog: the caller's name for itself
  printf '%s: error: %s\n' "$prog" "$1" >&2
  local d
  for d in "${_args_made[@]}"; do rmdir -- "$d" 2>/dev/null || true; done
  exit 2
}

# need_value "$@" in an option's case branch: the option has a value, and it is not
# empty (an empty value is a mistake for every option that uses this).
need_value() { if (($# < 2)) || [[ -z "$2" ]]; then bad "option '$1' needs a value"; fi; }

# count NAME VALUE [MAX]: a whole number from 1 to MAX, written plainly. A leading zero
# is refused: bash arithmetic would read 08 as a bad octal number.
count() {
  if ! [[ "$2" =~ ^[1-9][0-9]{0,8}$ ]] || (($2 > ${3:-100000})); then
    bad "$1 '$2' is not a whole number from 1 to ${3:-100000}"
  fi
}

# out_dir NAME PATH: PATH is (or is made) a folder this process can write in. Refused
# when it is empty, looks like an option, is a file, lies under a file, or cannot be
# created or written (root passes `test -w` even on /proc, so a file is really made).
out_dir() {
  local name=$1 path=$2 up missing=() err
  [[ -n "$path" && "$path" != -* ]] || bad "$name '$path': expected a folder to write into"
  [[ ! -e "$path" || -d "$path" ]] || bad "$name '$path' is a file, not a folder"
  up=$path
  while [[ ! -e "$up" && ! -L "$up" ]]; do missing+=("$up"); up=$(dirname -- "$up"); done
  [[ -d "$up" ]] || bad "$name '$path': '$up' is not a folder"
  if ! err=$(mkdir -p -- "$path" 2>&1); then
    _args_made=("${missing[@]}")
    bad "$name '$path' cannot be created: ${err##*: }"
  fi
  _args_made=("${missing[@]}")
  local probe
  probe=$(mktemp -- "$path/.write-test.XXXXXX" 2>/dev/null) || bad "$name '$path' is not writable"
  rm -f -- "$probe"
}

# visible_gpu: prints "name, compute capability" of the first GPU and succeeds; or, at
# once, prints why none is visible and fails: CUDA_VISIBLE_DEVICES hiding every device
# (as it does from torch and our binary), no nvidia-smi, or none listed.
visible_gpu() {
  if [[ -v CUDA_VISIBLE_DEVICES && ( -z "$CUDA_VISIBLE_DEVICES" || "$CUDA_VISIBLE_DEVICES" == -* ) ]]; then
    echo "CUDA_VISIBLE_DEVICES='$CUDA_VISIBLE_DEVICES' hides every device"; return 1
  fi
  command -v nvidia-smi >/dev/null || { echo "no nvidia-smi on PATH"; return 1; }
  local line
  line=$(timeout 10 nvidia-smi --query-gpu=name,compute_cap --format=csv,noheader 2>/dev/null | head -1) || true
  [[ -n "$line" ]] || { echo "nvidia-smi lists no GPU"; return 1; }
  printf '%s\n' "$line"
}

# runs_here BIN RUN_ARGS...: `BIN run RUN_ARGS --list` accepts the arguments, and this
# machine can run every point they plan (the listing marks the others "# not here", e.g.
# CUDA points without a GPU); prints the listing. It loads LibTorch but measures nothing.
runs_here() {
  local bin=$1 plan line; shift
  if ! plan=$("$bin" run "$@" --list 2>/dev/null); then
    plan=$("$bin" run "$@" --list 2>&1 >/dev/null) || true
    bad "'run $*' is refused: ${plan%%$'\n'*}"
  fi
  ! line=$(grep -m1 '# not here' <<<"$plan") || bad "'run $*' plans points this machine cannot run: ${line//$'\t'/ }"
  printf '%s\n' "$plan"
}

# preset_file PRESET: the file a preset stands for, found as the binary finds it: a
# built-in name first (bench/presets/, compiled in), then a path.
preset_file() {
  local builtin
  builtin="$(dirname "${BASH_SOURCE[0]}")/../../bench/presets/$1.json"
  if [[ -f "$builtin" ]]; then echo "$builtin"; elif [[ -f "$1" && -r "$1" ]]; then echo "$1"; else return 1; fi
}

# needs_cuda PRESET RUN_ARGS...: the preset names a CUDA device and the run arguments
# choose no other. Without a GPU such a sweep plans points that `run --list` marks "not
# here"; this says so at once, where the listing first loads LibTorch (a second or more
# on a busy machine).
needs_cuda() {
  local file; file=$(preset_file "$1") || return 1
  shift
  [[ " $* " != *" --device"* ]] && grep -Eq '"device" *: *"[^"]*cuda' "$file"
}

# compare_accepts REPORT COMPARE_ARGS...: shishu-report compare takes these options. It
# checks its options before it reads either side, so two sides that do not exist show
# the options' verdict without reading, writing or duplicating its rules here.
compare_accepts() {
  local report=$1 none="/nonexistent/shishu-compare-probe" err; shift
  err=$("$report" compare "$none" "$none" "$@" 2>&1) && return 0
  [[ "$err" == *"$none"* ]] || bad "compare options '$*' refused: ${err%%$'\n'*}"
}
