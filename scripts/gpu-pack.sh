#!/usr/bin/env bash
# Packs a gpu.sh OUT folder for a machine that returns only a few files, each at most a
# few MB (the lent GPU machines return 8 files of 16 MB at most):
#   OUT/gpu-run.tar.gz         everything but the raw traces: summary, logs, machine facts,
#                              the report (profile summaries included), tables, arch,
#                              plots. Meant to stay under 8 MB; its size goes in the summary.
#   OUT/traces-partNN.tar.gz   the raw Chrome traces (run/profiles/*.trace.json), gzip'd,
#                              in parts of at most SHISHU_PACK_PART_BYTES (8 MB); each part
#                              opens on its own.
#   OUT/traces-index.txt       which part holds which trace (also inside gpu-run.tar.gz).
# A trace that alone compresses past the part size is left out of the parts, named in the
# index, and stays in OUT/run/profiles/.
# usage: gpu-pack.sh OUT WORK   (WORK: a scratch folder outside OUT)
# Prints one line per file it made ("file bytes"), for the summary.
# Bad input (exit 2, nothing written): OUT not a folder, WORK inside OUT (it would be
# packed), a part size that is not a whole number of bytes.
set -euo pipefail
prog=gpu-pack
# shellcheck source=scripts/lib/args.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/args.sh"
(($# == 2)) || bad "expected OUT and WORK, got $# argument(s): '$*' (usage: gpu-pack.sh OUT WORK)"
out=$1 work=$2
[[ -d "$out" ]] || bad "OUT '$out' is not a folder"
[[ "$(realpath -m -- "$work")/" != "$(realpath -- "$out")/"* ]] || bad "WORK '$work' lies inside OUT '$out'"
count SHISHU_PACK_PART_BYTES "${SHISHU_PACK_PART_BYTES:-8388608}" 999999999
out_dir WORK "$work"
part_bytes=${SHISHU_PACK_PART_BYTES:-8388608}
stage="$work/pack"
rm -rf "$stage" && mkdir -p "$stage"
rm -f "$out"/traces-part*.tar.gz "$out/traces-index.txt" "$out/gpu-run.tar.gz"

# Each trace gzip'd alone, then parts filled in name order up to the part size (tar adds
# 512 bytes of header per file and 1 KB at the end; counted).
index="$out/traces-index.txt"
echo "# part	trace (compressed bytes)" >"$index"
part=0 used=0
declare -a members=()
flush() {
  ((${#members[@]})) || return 0
  local name
  name=$(printf 'traces-part%02d.tar.gz' "$part")
  # The members are gzip'd already; the outer gzip only wraps the tar headers.
  tar -czf "$out/$name" -C "$stage" "${members[@]}"
  for m in "${members[@]}"; do printf '%s\t%s (%s)\n' "$name" "${m%.gz}" "$(stat -c %s "$stage/$m")" >>"$index"; done
  part=$((part + 1)) used=0 members=()
}
if [[ -d "$out/run/profiles" ]]; then
  while IFS= read -r -d '' trace; do
    base=$(basename "$trace")
    gzip -c "$trace" >"$stage/$base.gz"
    size=$(( $(stat -c %s "$stage/$base.gz") + 512 ))
    if ((size + 1024 > part_bytes)); then
      printf 'not packed\t%s (%s compressed, over the part size; kept in run/profiles/)\n' "$base" "$size" >>"$index"
      rm -f "$stage/$base.gz"
      continue
    fi
    ((used + size + 1024 <= part_bytes)) || flush
    members+=("$base.gz")
    used=$((used + size))
  done < <(find "$out/run/profiles" -maxdepth 1 -name '*.trace.json' -print0 | sort -z)
fi
flush

tar -czf "$work/gpu-run.tar.gz" -C "$out" --exclude=./gpu-run.tar.gz --exclude='./traces-part*.tar.gz' \
  --exclude='./run/profiles/*.trace.json' .
mv "$work/gpu-run.tar.gz" "$out/gpu-run.tar.gz"
rm -rf "$stage"
shopt -s nullglob  # no traces: no parts, and no literal pattern in the list
for f in "$out/gpu-run.tar.gz" "$out"/traces-part*.tar.gz; do
  printf '%s %s\n' "$(basename "$f")" "$(stat -c %s "$f")"
done
