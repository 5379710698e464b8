#!/usr/bin/env bash
# Build, test and sweep on a bare GPU machine: no internet, no package registry, nothing
# but this checkout, python3's torch, nvcc, CMake, ninja, and the kit in .offline/ that
# scripts/gpu-kit.sh makes on a machine with Debian's registry.
#
#   scripts/gpu.sh OUT [--stage first|build|quick|test|sweep]... [--resume] [run arguments]
#   scripts/gpu.sh --self-test OUT
#
# Stages (build, test and sweep unless --stage names some):
#   build  Release build in build/gpu against python3's torch, for the GPU's compute
#          capability, on every core. Dependencies the system lacks are unpacked from
#          .offline/ into a private prefix (build/gpu/deps), never into /.
#   quick  the GPU-labelled tests and the fast unit tests (no end-to-end, parity, plot or
#          kit tests); with a GPU present, a skipped GPU test fails the stage.
#   test   every ctest test; likewise.
#   sweep  `shishu-bench run` (default --preset ci-gpu; other arguments pass through)
#          into OUT/run, then tables, the architecture comparison and plots beside it.
#   first  build, quick and sweep with --preset gpu-smoke by default: a machine's first
#          call, about 3 minutes on 16 cores.
#   gate   the regression gate measured on this GPU (scripts/gate-quality.sh, preset
#          gate-gpu): an A/A of 6 interleaved rounds and planted device-side slowdowns of
#          5% and 10%, eager and CUDA graphs; false alarms and detections in OUT/gate/.
# Everything lands in OUT: logs/, run/, machine/ (nvidia-smi -q and versions), summary.txt
# (each stage's status and time, where each dependency came from, the packed files'
# sizes), and scripts/gpu-pack.sh's files: gpu-run.tar.gz (all but the raw traces, meant
# to stay under 8 MB) and the traces in parts of at most 8 MB, with traces-index.txt.
# --resume accepts a non-empty OUT and continues an interrupted sweep there (with the
# run arguments it was started with, unless new ones are given).
# --self-test runs the same flow on a machine without a GPU: the kit's packages only
# (the system's copies hidden from CMake), the CPU tests, a small CPU sweep.
#
# Without a GPU (none listed by nvidia-smi, or CUDA_VISIBLE_DEVICES hiding them), the
# default stages build and test and skip a sweep that needs one; a stage named with
# --stage that needs one (gate; first, or sweep, on a CUDA preset) is refused at once.
#
# Exit status: 0 every stage ran or was skipped for a stated reason, 1 a stage failed,
# 2 bad input (nothing ran, nothing written). Run arguments are checked by the build's
# own binary, after the build stage and before the sweep.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prog=gpu.sh
# shellcheck source=scripts/lib/args.sh
source "$root/scripts/lib/args.sh"
say() { printf 'gpu.sh: %s\n' "$*" >&2; }
usage() { sed -n '/^#   scripts/p' "${BASH_SOURCE[0]}" | sed 's/^#  */usage: /' >&2; }

out="" resume=0 self_test=0
stages=() run_args=() stages_given=0
while (($#)); do
  case "$1" in
    --stage) need_value "$@"; stages+=("$2"); shift 2 ;;
    --stage=*) stages+=("${1#*=}"); shift ;;
    --resume) resume=1; shift ;;
    --self-test) self_test=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --out|--out=*) bad "gpu.sh writes the run into OUT/run itself; drop '$1'" ;;
    *) if [[ -z "$out" && ${#run_args[@]} -eq 0 && "$1" != -* ]]; then out=$1; else run_args+=("$1"); fi; shift ;;
  esac
done
[[ -n "$out" ]] || { usage; bad "no OUT folder given"; }
default_preset=ci-gpu
for s in "${stages[@]}"; do
  [[ "$s" =~ ^(first|build|quick|test|sweep|gate)$ ]] || bad "--stage '$s': use first, build, quick, test, sweep or gate"
done
if ((${#stages[@]})); then stages_given=1; else stages=(build test sweep); fi
if [[ " ${stages[*]} " == *" first "* ]]; then
  ((${#stages[@]} == 1)) || bad "--stage first is build, quick and sweep already; give it alone"
  stages=(build quick sweep) default_preset=gpu-smoke
fi
[[ " ${stages[*]} " == *" sweep "* || ${#run_args[@]} -eq 0 ]] ||
  bad "run arguments '${run_args[*]}' given, but no sweep stage runs to take them"
if [[ -d "$out" && -n "$(ls -A "$out")" && $resume == 0 ]]; then
  bad "$out exists and is not empty; pass --resume to continue it, or give another OUT"
fi
tag=gpu
if ((self_test)); then
  tag=gpu-selftest
  export CUDA_VISIBLE_DEVICES=""  # the self-test is the no-GPU flow, wherever it runs
fi
work="$root/build/$tag"
build="$work/release"
deps="$work/deps"

# The sweep's arguments (args): the ones given; on --resume without any, those it started
# with; and the default preset unless they name one (sweep_preset: the one it runs).
sweep_args() {
  args=("${run_args[@]}")
  if ((${#args[@]} == 0)) && [[ -f "$out/run-args.txt" ]]; then
    mapfile -t args <"$out/run-args.txt"
  fi
  local i
  sweep_preset=""
  for ((i = 0; i < ${#args[@]}; ++i)); do
    case "${args[i]}" in --preset) sweep_preset=${args[i + 1]:-} ;; --preset=*) sweep_preset=${args[i]#*=} ;; esac
  done
  if [[ " ${args[*]} " != *" --preset "* && " ${args[*]} " != *" --preset="* ]]; then
    sweep_preset=$default_preset
    ((self_test)) && sweep_preset="$root/tests/data/tiny-sweep.json"
    args+=(--preset "$sweep_preset")
  fi
}

# --- What this machine has ------------------------------------------------------------
# Without a GPU the default flow builds and tests, and skips a sweep that needs one; a
# stage asked for by name that needs a GPU is refused at once instead.
if [[ " ${stages[*]} " == *" sweep "* ]]; then
  sweep_args
  preset_file "$sweep_preset" >/dev/null || bad "--preset '$sweep_preset': no built-in preset or file of that name"
fi
gpu_name="" gpu_cap=""
if line=$(visible_gpu); then
  gpu_name=${line%%,*}
  gpu_cap=$(echo "${line#*,}" | tr -d ' ')
elif ((stages_given)); then
  for s in "${stages[@]}"; do
    [[ $s != gate ]] || bad "--stage gate needs a GPU, and none is visible ($line)"
    if [[ $s == sweep ]] && needs_cuda "$sweep_preset" "${args[@]}"; then
      [[ $default_preset == gpu-smoke ]] && s=first
      bad "--stage $s runs the preset $sweep_preset on CUDA, and no GPU is visible ($line)"
    fi
  done
fi
out_dir OUT "$out"
out=$(cd "$out" && pwd)
jobs=$(nproc)
if [[ -n "$gpu_name" ]]; then
  say "GPU: $gpu_name (compute capability $gpu_cap)"
else
  say "no GPU visible ($line): GPU tests will be reported as skipped, and no sweep that needs a GPU will run"
fi

# LibTorch: python3's torch; else (CPU machines, the self-test) the one setup.sh found.
torch_prefix=""
if p=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null); then
  torch_prefix=$p
elif [[ -n "${SHISHU_TORCH_PREFIX:-}" ]]; then
  torch_prefix=$SHISHU_TORCH_PREFIX
elif [[ -f "$root/build/setup.env" ]]; then
  torch_prefix=$(sed -n 's/^SHISHU_TORCH_PREFIX=//p' "$root/build/setup.env")
fi
[[ -n "$torch_prefix" && -f "$torch_prefix/Torch/TorchConfig.cmake" ]] ||
  bad "no LibTorch: python3 cannot import torch, and SHISHU_TORCH_PREFIX is not set"
torch_dir=$(cd "$torch_prefix/../.." && pwd)  # .../site-packages/torch
torch_version=$(sed -n "s/^__version__ = '\(.*\)'/\1/p" "$torch_dir/version.py" 2>/dev/null || true)
torch_cuda=$(sed -n "s/^cuda: Optional\[str\] = '\(.*\)'/\1/p; s/^cuda = '\(.*\)'/\1/p" "$torch_dir/version.py" 2>/dev/null | head -1)
say "LibTorch ${torch_version:-?} (CUDA ${torch_cuda:-none}) from $torch_prefix"

# A torch built for another CUDA than nvcc's fails deep inside the compile or at run
# time; say so before any compile.
nvcc_version=""
if [[ -n "$torch_cuda" ]]; then
  nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  [[ -x "$nvcc" ]] || bad "torch is built for CUDA $torch_cuda, but no nvcc is on PATH or in /usr/local/cuda/bin"
  nvcc_version=$("$nvcc" --version | sed -n 's/.*release \([0-9]*\.[0-9]*\).*/\1/p')
  [[ "$nvcc_version" == "$torch_cuda" ]] ||
    bad "torch $torch_version is built for CUDA $torch_cuda, but nvcc ($nvcc) is CUDA $nvcc_version: put CUDA $torch_cuda's nvcc first on PATH, or use a torch built for CUDA $nvcc_version"
  export PATH="$(dirname "$nvcc"):$PATH"
fi

# --- The stage record and summary -------------------------------------------------------
record() {  # stage status seconds detail
  touch "$out/stages.tsv"
  grep -v "^$1	" "$out/stages.tsv" >"$out/stages.tsv.tmp" || true
  printf '%s\t%s\t%s\t%s\n' "$@" >>"$out/stages.tsv.tmp"
  mv "$out/stages.tsv.tmp" "$out/stages.tsv"
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }
failed=0

# --- Dependencies: the system's, else the kit's (scripts/gpu-deps.sh) -------------------
# Sets need (the CMake packages taken from the kit), ignore_paths, nvml_include, and
# deps_prefixes (the kit's prefixes for CMake, an upstream build first if one was made).
mkdir -p "$work"
source "$root/scripts/gpu-deps.sh"
mkdir -p "$out/logs" "$out/machine"

plot_python=""
python3 -c 'import matplotlib' 2>/dev/null && plot_python=$(command -v python3)
[[ -z "$plot_python" && -z "${SHISHU_PLOT_PYTHON:-}" && -f "$root/build/setup.env" ]] &&
  SHISHU_PLOT_PYTHON=$(sed -n 's/^SHISHU_PLOT_PYTHON=//p' "$root/build/setup.env")
plot_python=${plot_python:-${SHISHU_PLOT_PYTHON:-}}
# The parity tests' Python: one with torch and transformers (the GPU image's python3).
parity_python=""
python3 -c 'import transformers, safetensors, torch' 2>/dev/null && parity_python=$(command -v python3)
[[ -z "$parity_python" && -f "$root/build/setup.env" ]] &&
  parity_python=$(sed -n 's/^SHISHU_PARITY_PYTHON=//p' "$root/build/setup.env")

# --- Stages -------------------------------------------------------------------------------
stage_build() {
  local t0 hide=()
  t0=$(now)
  # Torch's CMake config builds for these architectures; the GPU's own, so kernels (ours,
  # and any Torch compiles) get its machine code rather than JIT-compiled PTX.
  [[ -n "$gpu_cap" ]] && export TORCH_CUDA_ARCH_LIST="$gpu_cap"
  ((self_test)) && hide=(-DCMAKE_IGNORE_PATH="$ignore_paths")
  if SHISHU_NVML_INCLUDE_DIR="$nvml_include" cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
       -DCMAKE_PREFIX_PATH="$deps_prefixes;$torch_prefix" -DSHISHU_PLOT_PYTHON="$plot_python" \
       -DSHISHU_PARITY_PYTHON="$parity_python" "${hide[@]}" \
       -Ubenchmark_DIR -UGTest_DIR -Unlohmann_json_DIR -UCLI11_DIR -UEigen3_DIR \
       >"$out/logs/configure.log" 2>&1 &&
     cmake --build "$build" -j "$jobs" >"$out/logs/build.log" 2>&1; then
    # The self-test proves the kit alone suffices: every package must come from it, and
    # from its upstream build where one was made. (The -U options above make CMake find
    # the five packages again on every configure, not keep an earlier run's choice.)
    local name dir
    for name in benchmark GTest nlohmann_json CLI11 Eigen3; do
      dir=$(sed -n "s/^${name}_DIR:PATH=//p" "$build/CMakeCache.txt")
      if [[ " ${need[*]} " == *" $name "* && "$dir" != "$deps"* ]]; then
        record build failed "$(since "$t0")" "$name came from ${dir:-nowhere}, not the kit (logs/configure.log)"
        failed=1; return 1
      fi
      if [[ " ${built_from_source[*]} " == *" $name "* && "$dir" != "$deps/source"* ]]; then
        record build failed "$(since "$t0")" "$name came from ${dir:-nowhere}, not its upstream build (logs/configure.log)"
        failed=1; return 1
      fi
    done
    record build ok "$(since "$t0")" "build/$tag/release; from the kit: ${need[*]:-nothing}${built_from_source[*]:+ (built from source: ${built_from_source[*]})}"
  else
    tail -30 "$out/logs/configure.log" "$out/logs/build.log" 2>/dev/null >&2 || true
    record build failed "$(since "$t0")" "see logs/configure.log and logs/build.log"
    failed=1; return 1
  fi
}

# `quick` is every test but the end-to-end, parity, plot and kit ones: the GPU-labelled
# tests and the unit tests, which take seconds.
stage_test() {  # [quick]
  local t0 rc=0 name=${1:-test} selection=()
  t0=$(now)
  [[ "$name" == quick ]] && selection=(-LE 'e2e|parity|plot|kit')
  [[ -x "$build/cli/shishu-bench" ]] || { record "$name" failed 0 "no build here: run --stage build first"; failed=1; return 1; }
  ctest --test-dir "$build" -j "$jobs" --output-on-failure --no-tests=error "${selection[@]}" \
    >"$out/logs/ctest-$name.log" 2>&1 || rc=$?
  # Skipped tests, and which of them carry the gpu label (the ones a GPU must run).
  local skipped gpu_skipped
  sed -n '/The following tests did not run/,$p' "$out/logs/ctest-$name.log" | sed -n 's/.* - \(.*\) (Skipped)$/\1/p' \
    >"$work/skipped.txt"
  ctest --test-dir "$build" -L gpu -N | sed -n 's/^ *Test *#[0-9]*: //p' >"$work/gpu-tests.txt"
  skipped=$(grep -c . "$work/skipped.txt" || true)
  gpu_skipped=$(grep -cxFf "$work/gpu-tests.txt" "$work/skipped.txt" || true)
  local result
  result=$(grep -E '^[0-9]+% tests passed' "$out/logs/ctest-$name.log" || echo "no result line")
  if ((rc)); then
    record "$name" failed "$(since "$t0")" "$result (logs/ctest-$name.log)"; failed=1; return 1
  elif [[ -n "$gpu_name" && "$gpu_skipped" -gt 0 ]]; then
    record "$name" failed "$(since "$t0")" "$gpu_skipped GPU test(s) skipped although a GPU is present (logs/ctest-$name.log)"
    failed=1; return 1
  fi
  record "$name" ok "$(since "$t0")" "$result; $skipped skipped$([[ -n "$gpu_name" ]] || echo ' (no GPU here: GPU tests skip)')"
}
stage_quick() { stage_test quick; }

stage_sweep() {
  local t0 rc=0 args sweep_preset
  t0=$(now)
  local bin="$build/cli/shishu-bench" report="$build/cli/shishu-report" run="$out/run"
  [[ -x "$bin" ]] || { record sweep failed 0 "no build here: run --stage build first"; failed=1; return 1; }
  sweep_args
  printf '%s\n' "${args[@]}" >"$out/run-args.txt"
  # Plan first: a sweep with points this machine cannot run is skipped, with the reason.
  "$bin" run "${args[@]}" --list >"$out/logs/plan.txt" 2>"$out/logs/plan.err" ||
    { cat "$out/logs/plan.err" >&2; record sweep failed "$(since "$t0")" "run refused its arguments: $(tail -1 "$out/logs/plan.err")"; failed=1; return 1; }
  if grep -q '# not here' "$out/logs/plan.txt"; then
    record sweep skipped "$(since "$t0")" "$(tail -1 "$out/logs/plan.err") (logs/plan.txt)"
    return 0
  fi
  if ((resume)) && [[ -f "$run/run.json" ]]; then args+=(--resume "$run"); else args+=(--out "$run"); fi
  "$bin" run "${args[@]}" 2>&1 | tee -a "$out/logs/sweep.log" >&2 || rc=$?
  if [[ -f "$run/report.json" ]]; then
    { "$report" table "$run/report.json" --out "$run/tables.md" &&
      "$report" arch "$run/report.json" --out "$run/arch.md" &&
      if [[ -n "$plot_python" ]]; then "$plot_python" "$root/scripts/plot.py" "$run/report.json" --out "$run/plots" --paper; fi
    } >>"$out/logs/sweep.log" 2>&1 || rc=$((rc ? rc : 1))
  fi
  local points
  points=$(grep -c . "$out/logs/plan.txt" || true)
  if ((rc)); then
    record sweep failed "$(since "$t0")" "exit $rc, $points points (logs/sweep.log; resume with --resume)"; failed=1; return 1
  fi
  record sweep ok "$(since "$t0")" "$points points: run/report.json, run/tables.md, run/arch.md${plot_python:+, run/plots/}"
}

stage_gate() {
  local t0 rc=0 bin="$build/cli/shishu-bench" report="$build/cli/shishu-report"
  t0=$(now)
  [[ -x "$bin" ]] || { record gate failed 0 "no build here: run --stage build first"; failed=1; return 1; }
  if [[ -z "$gpu_name" ]]; then
    record gate skipped 0 "no GPU here: the gate-gpu preset runs on CUDA"; return 0
  fi
  # One block: 6 paired rounds of 4 arms and one unpaired report each, 28 processes. The
  # ceilings are left out: they are not what the gate compares, and cost a second each.
  "$root/scripts/gate-quality.sh" "$out/gate" --blocks 1 --rounds 6 --arms "base aa s5 s10" --preset gate-gpu \
    --bin "$bin" --report "$report" --run-args "--no-ceilings" >"$out/logs/gate.log" 2>&1 || rc=$?
  "$root/scripts/gate-quality.sh" --analyse "$out/gate" --bin "$bin" --report "$report" >"$out/gate/analysis.md" \
    2>>"$out/logs/gate.log" || rc=$((rc ? rc : 1))
  if ((rc)); then record gate failed "$(since "$t0")" "exit $rc (logs/gate.log)"; failed=1; return 1; fi
  record gate ok "$(since "$t0")" "gate/analysis.md: false alarms (aa) and detections (s5, s10)"
}

for s in "${stages[@]}"; do
  say "stage $s"
  "stage_$s" || { say "stage $s failed"; [[ "$s" == build ]] && break; }
done

# --- The machine, the summary, one tarball -------------------------------------------------
{ command -v nvidia-smi >/dev/null && nvidia-smi -q 2>&1; } >"$out/machine/nvidia-smi-q.txt" ||
  echo "nvidia-smi: not available here" >"$out/machine/nvidia-smi-q.txt"
{
  echo "host: $(hostname); $(nproc) cores; $(uname -srm)"
  echo "gpu: ${gpu_name:-none}${gpu_cap:+ (compute capability $gpu_cap)}"
  echo "torch: ${torch_version:-?} (CUDA ${torch_cuda:-none}) at $torch_prefix"
  echo "nvcc: ${nvcc_version:-none}; $(cmake --version | head -1); $(${CXX:-c++} --version | head -1)"
  echo "commit: $(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (uncommitted changes)')"
  # Where each C++ dependency came from: the system's own, the kit's Debian package, or
  # the kit's upstream source built here.
  deps_line="dependencies:"
  for name in benchmark GTest nlohmann_json CLI11 Eigen3; do
    from=system
    [[ " ${need[*]} " == *" $name "* ]] && from=kit
    [[ " ${built_from_source[*]} " == *" $name "* ]] && from="kit (built from source)"
    deps_line+=" $name from $from;"
  done
  echo "${deps_line%;}; nvml.h from $([[ " ${need[*]} " == *" nvml "* ]] && echo kit || echo "${nvml_include:-nowhere}")"
} >"$out/machine/versions.txt"
{
  echo "shishu-bench GPU run$( ((self_test)) && echo ' (self-test: the no-GPU flow, kit packages only)'), $(date -u +%FT%TZ)"
  cat "$out/machine/versions.txt"
  echo
  printf '%-6s %-8s %7s  %s\n' stage status seconds detail
  while IFS=$'\t' read -r s st sec detail; do printf '%-6s %-8s %7s  %s\n' "$s" "$st" "$sec" "$detail"; done <"$out/stages.tsv"
} >"$out/summary.txt"
packed=$("$root/scripts/gpu-pack.sh" "$out" "$work")
{
  echo
  echo "packed (scripts/gpu-pack.sh; traces-index.txt says which part holds which trace):"
  while read -r name bytes; do
    note=""
    [[ "$name" == gpu-run.tar.gz && "$bytes" -gt 8388608 ]] && note="  OVER 8 MB: a machine that returns 8 MB files loses it"
    printf '  %-24s %6.1f MB%s\n' "$name" "$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')" "$note"
  done <<<"$packed"
} >>"$out/summary.txt"
cat "$out/summary.txt" >&2
say "everything is in $out; gpu-run.tar.gz holds all but the raw traces"
exit "$failed"
