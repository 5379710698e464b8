#!/usr/bin/env bash
# scripts/peer_hf.py end to end on the CPU: a small sweep of ours, the same points through
# transformers (hf-eager), one report that shishu-report reads, with a table per backend,
# and the peer's greedy tokens equal to ours. Then scripts/gpu-speed.sh's pipeline on one
# point, hf-compiled (torch.compile) included. Exit 77 (skipped) without transformers, except
# under CI=true.
# usage: check_peer_hf.sh PYTHON SHISHU_BENCH SHISHU_REPORT SOURCE_DIR WORK
set -uo pipefail
python=$1 bench=$2 report=$3 src=$4 work=$5
if ! "$python" -c 'import transformers, safetensors' 2>/dev/null; then
  [[ "${CI:-}" == true ]] && { echo "FAIL: transformers is required in CI"; exit 1; }
  echo "SKIP: no transformers for $python"; exit 77
fi
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
"$bench" run --preset "$src/tests/data/tiny-sweep.json" --phase forward,generate --models 125m:2,125m:1+1*2 --batch 1 \
  --seq 8 --reps 2 --out "$work/run" >"$work/run.log" 2>&1 || fail "the sweep failed: $(tail -3 "$work/run.log")"
"$python" "$src/scripts/peer_hf.py" "$work/run/report.json" --bench "$bench" --out "$work/peer.json" \
  --backends hf-eager >"$work/peer.log" 2>&1 || fail "peer_hf.py failed: $(tail -5 "$work/peer.log")"
"$python" - "$work/peer.json" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
ours = [p for p in r["points"] if p["axes"]["mode"] == "eager"]
peer = [p for p in r["points"] if p["axes"]["mode"] == "hf-eager"]
assert len(ours) == 4 and len(peer) == 4, (len(ours), len(peer))
assert {p["id"].replace("/eager/", "/hf-eager/") for p in ours} == {p["id"] for p in peer}
checks = r["context"]["peer"]["same_greedy_tokens"]
assert checks and all(checks.values()), checks
for p in peer:
    lat = p["metrics"]["latency_ms"]["samples"]
    assert len(lat) == 2 and all(v > 0 for v in lat), p
    if p["axes"]["phase"] == "generate":  # one call gives each repetition's TTFT, steps and total
        m = p["metrics"]
        assert all(t < total for t, total in zip(m["ttft_ms"]["samples"], lat)), p
        assert len(m["decode_step_ms"]["samples"]) == 2 * (p["axes"]["gen"] - 1), p
print("ok: 4 peer points beside ours, greedy tokens equal")
PY
"$report" table "$work/peer.json" --only generation >"$work/table.md" 2>"$work/table.err" || fail "table: $(cat "$work/table.err")"
grep -q ", hf-eager, batch 1" "$work/table.md" || fail "no hf-eager table: $(cat "$work/table.md")"
grep -q ", eager, batch 1" "$work/table.md" || fail "no table of ours"
"$report" arch "$work/peer.json" >"$work/arch.md" 2>"$work/arch.err" || fail "arch: $(cat "$work/arch.err")"
"$python" "$src/scripts/peer_hf.py" "$work/run/report.json" --bench "$bench" --out "$work/x.json" --backends hf-turbo \
  >/dev/null 2>"$work/bad.err"
[[ $? == 2 ]] && grep -q "hf-turbo" "$work/bad.err" || fail "an unknown backend is not refused with exit 2"
# scripts/gpu-speed.sh's whole pipeline on the CPU, on one small point: the ceilings, the
# sweep, both peer backends (torch.compile included), and the table of targets (whose
# GPU points are all "not measured" here).
"$src/scripts/gpu-speed.sh" "$work/speed" --bin "$bench" --preset "$src/tests/data/tiny-sweep.json" --python "$python" \
  --peer-points '^forward/125m:2/.*/t8$' >"$work/speed.out" 2>&1 || fail "gpu-speed.sh failed: $(tail -5 "$work/speed.out")"
"$python" - "$work/speed" <<'PY' || exit 1
import json, sys
out = sys.argv[1]
c = json.load(open(out + "/ceilings.json"))
assert c["copy_bytes_per_s"] > 0 and c["matmul_flops_per_s"] > 0, c
r = json.load(open(out + "/run/with-peer.json"))
modes = sorted(p["axes"]["mode"] for p in r["points"] if p["id"].startswith("forward/125m:2/") and "/t8" in p["id"])
assert modes == ["eager", "hf-compiled", "hf-eager"], modes
table = open(out + "/targets.md").read()
assert table.startswith("| measure |") and "not measured" in table, table
print("ok: gpu-speed.sh ran its pipeline")
PY
echo "all checks passed"
