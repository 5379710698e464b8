#!/usr/bin/env bash
# scripts/gpu.sh refuses bad input with exit 2 and a message naming the problem, before
# anything is compiled, and scripts/gpu-kit.sh --check catches a damaged kit.
# (The full flow, scripts/gpu.sh --self-test, runs in .ci/run: it is a whole build.)
# usage: check_gpu_script.sh SOURCE_DIR WORK_DIR
set -uo pipefail
src=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
gpu="$src/scripts/gpu.sh"
fails=0

expect() {  # expected-status expected-message command...
  local want=$1 message=$2; shift 2
  local got=0
  "$@" >"$work/out" 2>"$work/err" || got=$?
  if [[ $got != "$want" ]] || ! grep -qF -- "$message" "$work/err"; then
    echo "FAIL: $* -> exit $got (want $want, with '$message'); stderr:"; cat "$work/err"
    fails=$((fails + 1))
  else
    echo "ok: $* -> exit $got: $(grep -F -- "$message" "$work/err" | head -1)"
  fi
}

mkdir -p "$work/full" && touch "$work/full/something"
expect 2 "no OUT folder given" "$gpu"
expect 2 "is not empty; pass --resume" "$gpu" "$work/full"
expect 2 "--stage 'deploy': use build, test or sweep" "$gpu" "$work/o1" --stage deploy
expect 2 "writes the run into OUT/run itself" "$gpu" "$work/o2" --out elsewhere

# A torch built for CUDA 13.0 (the wheel's) against an nvcc that says 12.4.
mkdir -p "$work/fake-bin"
printf '#!/bin/sh\necho "Cuda compilation tools, release 12.4, V12.4.131"\n' >"$work/fake-bin/nvcc"
chmod +x "$work/fake-bin/nvcc"
if grep -q "SHISHU_TORCH_CUDA=yes" "$src/build/setup.env" 2>/dev/null; then
  PATH="$work/fake-bin:$PATH" expect 2 "is CUDA 12.4" "$gpu" "$work/o3" --stage build
  [[ -z "$(ls -A "$work/o3/logs" 2>/dev/null)" ]] || { echo "FAIL: something was written before the refusal"; fails=$((fails + 1)); }
fi

# No kit, and packages the machine lacks (the self-test hides the system's copies).
expect 2 "scripts/gpu-kit.sh" env SHISHU_KIT_DIR="$work/no-kit" "$gpu" --self-test "$work/o4"
grep -q "lacks benchmark GTest nlohmann_json CLI11" "$work/err" || { echo "FAIL: the missing packages are not named"; fails=$((fails + 1)); }

# A damaged kit: a package whose bytes no longer match the manifest's sha256.
mkdir -p "$work/kit/debs"
echo "a package" >"$work/kit/debs/libx-dev_1.0_amd64.deb"
sha=$(sha256sum "$work/kit/debs/libx-dev_1.0_amd64.deb" | cut -d' ' -f1)
printf '# test kit\nbenchmark\tlibx-dev\t1.0\tdebs/libx-dev_1.0_amd64.deb\t%s\n' "$sha" >"$work/kit/MANIFEST.tsv"
expect 0 "kit verified" env SHISHU_KIT_DIR="$work/kit" "$src/scripts/gpu-kit.sh" --check
echo "a packagE" >"$work/kit/debs/libx-dev_1.0_amd64.deb"
expect 1 "sha256 mismatch: debs/libx-dev_1.0_amd64.deb" env SHISHU_KIT_DIR="$work/kit" "$src/scripts/gpu-kit.sh" --check
expect 2 "is damaged" env SHISHU_KIT_DIR="$work/kit" "$gpu" --self-test "$work/o5"
rm "$work/kit/debs/libx-dev_1.0_amd64.deb"
expect 1 "missing: debs/libx-dev_1.0_amd64.deb" env SHISHU_KIT_DIR="$work/kit" "$src/scripts/gpu-kit.sh" --check

((fails == 0)) || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
