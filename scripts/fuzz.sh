#!/usr/bin/env bash
# Fuzz every parser of outside input with libFuzzer (clang 14), under AddressSanitizer
# and UBSan: scripts/fuzz.sh [SECONDS] (default 60 per target).
# Builds tests/fuzz/ in build/fuzz (a project of its own: no LibTorch), then runs each
# target for SECONDS on a working corpus in build/fuzz/corpus/<target>, seeded from the
# committed tests/fuzz/corpus/<target>. Prints each target's executions, coverage and
# corpus size. A crash, leak, timeout or sanitizer report stops that target, leaves its
# input in build/fuzz/artifacts/, and makes the script exit 1; add that input to the
# committed corpus once fixed, so it stays a regression test.
# SHISHU_FUZZ_RUNS=N (CI): N executions per target with a fixed seed, from the committed
# seeds alone, so that every CI pass does about the same work on any machine (libFuzzer's
# path still varies a little from run to run); SECONDS still caps each target, so a slow
# target (fuzz_report runs every shishu-report command per input) cannot stretch CI.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prog=fuzz.sh
# shellcheck source=scripts/lib/args.sh
source "$root/scripts/lib/args.sh"
(($# <= 1)) || bad "expected at most one argument, SECONDS; got $#: '$*'"
seconds=${1:-60}
count SECONDS "$seconds" 86400
[[ -z "${SHISHU_FUZZ_RUNS:-}" ]] || count SHISHU_FUZZ_RUNS "$SHISHU_FUZZ_RUNS" 999999999
cxx=${SHISHU_FUZZ_CXX:-$(command -v clang++-14 || command -v clang++ || true)}
[[ -n "$cxx" ]] || bad "no clang++ found (Debian: apt-get install clang-14 libclang-rt-14-dev)"
command -v "$cxx" >/dev/null || bad "SHISHU_FUZZ_CXX '$cxx' is not a program here"
build="$root/build/fuzz"

cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
  >"$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; exit 1; }
cmake --build "$build" >"$build.build.log" 2>&1 || { tail -40 "$build.build.log" >&2; exit 1; }

failed=0
printf '%-18s %10s %8s %8s %8s  %s\n' target execs cov ft corpus status
for seeds in "$root"/tests/fuzz/corpus/*/; do
  target=$(basename "$seeds")
  corpus="$build/corpus/$target"
  budget=(-max_total_time="$seconds")
  if [[ -n "${SHISHU_FUZZ_RUNS:-}" ]]; then
    corpus="$build/corpus-runs/$target"
    rm -rf "$corpus"
    budget=(-runs="$SHISHU_FUZZ_RUNS" -seed=1 -max_total_time="$seconds")
  fi
  mkdir -p "$corpus" "$build/artifacts"
  cp -n "$seeds"* "$corpus"/ 2>/dev/null || true
  # A dictionary of the format's tokens and field names, where the target has one.
  dict=()
  [[ -f "$root/tests/fuzz/dict/$target.dict" ]] && dict=(-dict="$root/tests/fuzz/dict/$target.dict")
  log="$build/$target.log"
  status=ok
  # -rss_limit_mb: a parser that allocates gigabytes for a small input is a finding too.
  "$build/$target" "$corpus" "${budget[@]}" "${dict[@]}" -rss_limit_mb=1024 -timeout=10 \
    -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1 >"$log" 2>&1 || status="FAILED (see $log)"
  [[ "$status" == ok ]] || failed=1
  # The last "#N ... cov: C ft: F corp: K/..." line holds the totals.
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  printf '%-18s %10s %8s %8s %8s  %s\n' "$target" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status"
done
exit "$failed"
