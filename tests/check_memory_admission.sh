#!/usr/bin/env bash
# Memory admission under a real limit: a memory cgroup of 2 GiB holds shishu-bench while
# it runs a sweep whose largest point, a forward at 8 x 4096 tokens (4.2 GB of fp32
# logits alone), cannot fit. That point must be recorded as skipped with its figures
# named (needs X GB, Y GB free, the cgroup), every other point must finish, the run must
# exit 0, and the cgroup must have killed nothing. Needs a writable memory cgroup (v1 or
# v2): exits 77 (ctest: skipped) without one.
# usage: check_memory_admission.sh SHISHU_BENCH WORK_DIR
set -uo pipefail
bench=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
name="shishu-admission-$$"
if [[ -w /sys/fs/cgroup/memory ]]; then  # v1
  cg=/sys/fs/cgroup/memory/$name
  mkdir "$cg" 2>/dev/null && echo $((2 << 30)) >"$cg/memory.limit_in_bytes" 2>/dev/null || cg=""
  kills() { awk '/oom_kill /{print $2}' "$cg/memory.oom_control" 2>/dev/null || echo 0; }
elif [[ -w /sys/fs/cgroup/cgroup.subtree_control ]]; then  # v2
  cg=/sys/fs/cgroup/$name
  mkdir "$cg" 2>/dev/null && echo $((2 << 30)) >"$cg/memory.max" 2>/dev/null || cg=""
  kills() { awk '/oom_kill /{print $2}' "$cg/memory.events" 2>/dev/null || echo 0; }
else
  cg=""
fi
[[ -n "$cg" ]] || { echo "SKIP: no writable memory cgroup here"; exit 77; }
trap 'rmdir "$cg" 2>/dev/null' EXIT
cat >"$work/sweep.json" <<'JSON'
{"name": "admission", "warmup": 0, "repetitions": 1,
 "defaults": {"models": "125m:2", "dtype": "fp32", "device": "cpu", "mode": "eager", "batch": 1},
 "grids": [{"phase": "forward", "seq": 16},
           {"phase": "forward", "models": "mobilellm-125m", "seq": 4096, "batch": 8},
           {"phase": "generate", "prefill": 16, "gen": 2}]}
JSON
kills_before=$(kills)
# The shell joins the cgroup, then becomes shishu-bench: the limit holds the run alone.
sh -c "echo \$\$ >'$cg/cgroup.procs' && exec '$bench' run --preset '$work/sweep.json' --out '$work/run'" \
  >"$work/out" 2>"$work/err"
rc=$?
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
[[ $rc == 0 ]] || fail "exit $rc, want 0 (137 is the OOM killer): $(tail -3 "$work/err")"
[[ $(kills) == "$kills_before" ]] || fail "the cgroup OOM-killed a process ($kills_before before, $(kills) after)"
python3 - "$work/run/report.json" <<'PY' || fails=$((fails + 1))
import json, sys
points = {p["id"]: p for p in json.load(open(sys.argv[1]))["points"]}
big = points["forward/mobilellm-125m/fp32/cpu/eager/b8/t4096"]
assert big["status"] == "skipped", big["status"]
for words in ("needs ", " GB free", "cgroup", "predicted peak"):
    assert words in big["message"], (words, big["message"])
rest = [p for i, p in points.items() if i != big["id"]]
assert len(rest) == 2 and all(p["status"] == "ok" for p in rest), [(p["id"], p["status"]) for p in rest]
print("skipped:", big["message"])
PY
((fails == 0)) && echo "PASS" || exit 1
