#!/usr/bin/env bash
# A real full disk: a tiny tmpfs that fills while the tiny sweep writes. At 12 KiB the
# journal fills a few points in; at 24 KiB every point is journaled and the report does
# not fit. Each time the run must exit 1 naming the file and "No space left on device",
# leave no report.json and a journal of whole lines; after the tmpfs grows, --resume
# must finish the sweep from the journal. Needs permission to mount a tmpfs: exits 77
# (ctest: skipped) without it. The same faults run unprivileged in test_e2e (FullDisk.*,
# with /dev/full and a file-size limit).
# usage: check_full_disk.sh SHISHU_BENCH SWEEP_JSON WORK_DIR
set -uo pipefail
bench=$1 sweep=$2 work=$3
mkdir -p "$work"
mnt=$(mktemp -d "$work/tmpfs.XXXXXX")
if ! mount -t tmpfs -o size=12k tmpfs "$mnt" 2>/dev/null; then
  echo "SKIP: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)"; rmdir "$mnt"; exit 77
fi
trap 'umount "$mnt" 2>/dev/null; rmdir "$mnt"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for size in 12k 24k; do
  rm -rf "${mnt:?}"/run
  mount -o remount,size=$size "$mnt" || { fail "cannot shrink the tmpfs to $size"; continue; }
  out="$mnt/run"
  "$bench" run --preset "$sweep" --reps 1 --out "$out" >"$work/out" 2>"$work/err"
  rc=$?
  [[ $rc == 1 ]] || fail "size $size: exit $rc, want 1"
  grep -q 'No space left on device' "$work/err" || fail "size $size: no 'No space left on device' in: $(cat "$work/err")"
  grep -qF -- "--resume $out" "$work/err" || fail "size $size: no resume hint"
  [[ ! -e "$out/report.json" ]] || fail "size $size: a report.json was left"
  [[ ! -e "$out/report.json.tmp" ]] || fail "size $size: report.json.tmp was left"
  kept=$(grep -c . "$out/journal.jsonl")
  [[ ! -s "$out/journal.jsonl" || $(tail -c1 "$out/journal.jsonl" | od -An -c | tr -d ' ') == '\n' ]] ||
    fail "size $size: the journal ends in a partial line"
  echo "size $size: exit $rc, $kept points journaled: $(grep -m1 'failed:' "$work/err")"

  mount -o remount,size=4m "$mnt" || { fail "cannot grow the tmpfs"; continue; }
  "$bench" run --preset "$sweep" --reps 1 --resume "$out" >"$work/out" 2>"$work/err" || fail "size $size: resume: $(cat "$work/err")"
  grep -qF "($kept already finished)" "$work/err" || fail "size $size: resume did not take the $kept journaled points"
  points=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['points']))" "$out/report.json" 2>/dev/null)
  [[ $points == 12 ]] || fail "size $size: the resumed report has '${points}' points, want 12"
  echo "size $size: resumed, report with $points points"
done
exit $((fails > 0))
