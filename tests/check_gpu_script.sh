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
expect 2 "--stage 'deploy': use first, build, quick, test, sweep or gate" "$gpu" "$work/o1" --stage deploy
expect 2 "writes the run into OUT/run itself" "$gpu" "$work/o2" --out elsewhere
expect 2 "--stage first is build, quick and sweep already" "$gpu" "$work/o2b" --stage first --stage sweep
expect 2 "--minutes 'soon' is not a whole number" "$src/scripts/gpu-session.sh" "$work/o2c" --minutes soon

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
grep -q "lacks benchmark GTest nlohmann_json CLI11 Eigen3" "$work/err" || { echo "FAIL: the missing packages are not named"; fails=$((fails + 1)); }

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

# gpu-pack.sh: the raw traces go into parts no larger than the part size (each its own
# tar.gz), every trace is in the index exactly once, one too large for any part is named
# as not packed, and gpu-run.tar.gz holds everything else and no raw trace. The traces
# are random base64 (about 4:3 after gzip), so the sizes are known without a GPU run.
fake="$work/pack-out"
mkdir -p "$fake/run/profiles" "$fake/logs"
for i in 1 2 3 4 5; do head -c 300000 /dev/urandom | base64 >"$fake/run/profiles/point$i.trace.json"; done
head -c 2000000 /dev/urandom | base64 >"$fake/run/profiles/huge.trace.json"
echo '{"points": []}' >"$fake/run/report.json"
echo "summary" >"$fake/summary.txt"
limit=1000000
if ! packed=$(SHISHU_PACK_PART_BYTES=$limit "$src/scripts/gpu-pack.sh" "$fake" "$work/pack-work" 2>"$work/err"); then
  echo "FAIL: gpu-pack.sh failed:"; cat "$work/err"; fails=$((fails + 1))
fi
check() { if "${@:2}"; then echo "ok: pack: $1"; else echo "FAIL: pack: $1"; fails=$((fails + 1)); fi; }
parts=("$fake"/traces-part*.tar.gz)
# About 308 kB a trace once gzip'd: three fit in a part of 1,000,000 bytes, so 3 + 2.
check "five traces in 2 parts of at most $limit bytes" test ${#parts[@]} -eq 2
for p in "${parts[@]}"; do check "$(basename "$p") is $(stat -c %s "$p") bytes" test "$(stat -c %s "$p")" -le $limit; done
in_its_part() {  # trace: listed once, in the part the index names
  local lines part
  lines=$(grep -c "	$1 (" "$fake/traces-index.txt")
  part=$(grep "	$1 (" "$fake/traces-index.txt" | cut -f1)
  [[ "$lines" == 1 && -f "$fake/$part" ]] && tar -tzf "$fake/$part" | grep -x "$1.gz" >/dev/null
}
for i in 1 2 3 4 5; do check "point$i is indexed once, and in its part" in_its_part "point$i.trace.json"; done
check "the huge trace is named as not packed" grep -q "^not packed	huge.trace.json" "$fake/traces-index.txt"
listing=$(tar -tzf "$fake/gpu-run.tar.gz")
check "gpu-run.tar.gz holds the report" grep -qx './run/report.json' <<<"$listing"
check "gpu-run.tar.gz holds the index" grep -qx './traces-index.txt' <<<"$listing"
check "gpu-run.tar.gz holds no raw trace" test -z "$(grep 'trace.json' <<<"$listing")"
check "sizes are printed, one line per file" test "$(wc -l <<<"$packed")" -eq 3
# A run without --profile has no traces: one tarball, no parts, exit 0 (gpu.sh runs this
# under set -e; a failing last test in the size loop once made it exit 1 there).
plain="$work/pack-plain"
mkdir -p "$plain/run" && echo '{}' >"$plain/run/report.json"
if packed=$("$src/scripts/gpu-pack.sh" "$plain" "$work/pack-work2" 2>"$work/err"); then
  check "without traces: only gpu-run.tar.gz" test "$packed" = "gpu-run.tar.gz $(stat -c %s "$plain/gpu-run.tar.gz")"
else
  echo "FAIL: gpu-pack.sh exits non-zero without traces"; fails=$((fails + 1))
fi

((fails == 0)) || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
