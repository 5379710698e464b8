#!/usr/bin/env bash
# A real Slurm: a single-node cluster from Debian's packages (slurmctld, slurmd, munge) on
# 127.0.0.1, private to this test (its own munge socket, ports, state and node name), runs
# scripts/slurm/submit.sh on the tiny sweep: a 4-task array of `run --shard auto` and the
# merge job that depends on it (afterany). Checked:
#   - one task cancelled (scancel) halfway: the merge exits 3 and names exactly that
#     shard's points; `submit.sh --resume` continues it from its journal, and the second
#     merge is whole: the unsharded --list's ids, in its order;
#   - each merged point keeps its shard's context: host, shard index and source, start
#     and end times, device;
#   - a shard of another preset, and one of another build, are refused by name (exit 2).
# The daemons it starts are stopped by their PIDs on every exit. Skipped (77) where the
# packages are missing or not root; under CI=true that is a failure, since .ci/run
# installs them. usage: check_slurm.sh BIN_DIR SOURCE_DIR SWEEP_JSON WORK_DIR
set -uo pipefail
bin=$1 src=$2 sweep=$3 work=$4
begin=$SECONDS
skip() {
  if [[ ${CI:-} == true ]]; then echo "FAIL: $* (under CI this test must run: .ci/run installs Slurm)"; exit 1; fi
  echo "SKIP: $*"; exit 77
}
for tool in slurmctld slurmd sbatch squeue scontrol scancel sinfo munged setpriv python3; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (apt-get install slurmctld slurmd slurm-client munge)"
done
[[ $(id -u) == 0 ]] || skip "needs root: slurmd runs jobs as root here, and munged is started as the munge user"
[[ -r /etc/munge/munge.key ]] || skip "no munge key (/etc/munge/munge.key)"

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
die() { echo "FAIL: $*"; exit 1; }
note() { echo "slurm-test: $((SECONDS - begin))s: $*"; }

rm -rf "$work"
mkdir -p "$work"/{state,spool,log}
install -d -o munge -g munge -m 0755 "$work/munge"
daemons=()
# shellcheck disable=SC2317  # run by the trap
stop_all() {
  # Jobs first, so that no shard outlives its cluster; then slurmd, slurmctld, munged.
  if ((${#daemons[@]} > 1)); then
    local left
    mapfile -t left < <(squeue -h -o %A 2>/dev/null | sort -u)
    ((${#left[@]} == 0)) || scancel --quiet "${left[@]}"
    for _ in $(seq 50); do squeue -h 2>/dev/null | grep -q . || break; sleep 0.2; done
  fi
  for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
    kill -TERM "${daemons[i]}" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "${daemons[i]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${daemons[i]}" 2>/dev/null
  done
}
trap stop_all EXIT

# Each daemon in a session of its own (setsid), so that nothing it signals on the way
# out can reach ctest's process group; setsid and setpriv exec, so $! is the daemon's PID.
# munged as the munge user, on a socket of its own.
setsid setpriv --reuid=munge --regid=munge --init-groups munged -F -S "$work/munge/socket" --pid-file="$work/munge/pid" \
  --log-file="$work/munge/log" --seed-file="$work/munge/seed" >"$work/log/munged.out" 2>&1 &
daemons+=($!)
for _ in $(seq 50); do [[ -S $work/munge/socket ]] && break; sleep 0.1; done
[[ -S $work/munge/socket ]] || die "munged did not start: $(cat "$work/log/munged.out")"

read -r ctld_port slurmd_port < <(python3 -c 'import socket
ports = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s); print(s.getsockname()[1], end=" ")')
host=$(hostname -s)
node="shishu$$"
export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=shishutest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MailProg=/bin/true
MinJobAge=3600
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
$(slurmd -C | head -1 | sed "s/^NodeName=[^ ]*/NodeName=$node NodeHostname=$host NodeAddr=127.0.0.1/")
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
setsid slurmctld -D >"$work/log/slurmctld.out" 2>&1 &
daemons+=($!)
setsid slurmd -D -N "$node" >"$work/log/slurmd.out" 2>&1 &
daemons+=($!)
for _ in $(seq 100); do [[ $(sinfo -h -N -o %T 2>/dev/null) == idle ]] && break; sleep 0.2; done
[[ $(sinfo -h -N -o %T 2>/dev/null) == idle ]] || die "the node is not idle: $(sinfo -N 2>&1); $(tail -5 "$work"/log/*.log)"
for pid in "${daemons[@]}"; do
  [[ $(ps -o comm= -p "$pid") =~ ^(munged|slurmctld|slurmd)$ ]] || die "PID $pid is not a daemon this test started"
done
note "cluster up: node $node, ports $ctld_port/$slurmd_port, daemons ${daemons[*]}"

# Waits (at most $1 s) until none of the jobs ${@:2} is pending or running.
wait_jobs() {
  local deadline=$((SECONDS + $1)) ids
  ids=$(IFS=,; echo "${*:2}")
  while squeue -h -j "$ids" 2>/dev/null | grep -q .; do
    ((SECONDS < deadline)) || { squeue; return 1; }
    sleep 0.3
  done
}
exit_code() { scontrol show job "$1" | grep -o 'ExitCode=[0-9]*' | head -1 | cut -d= -f2; }
lines() { if [[ -f $1 ]]; then grep -c . "$1"; else echo 0; fi; }

# Bad input is refused (exit 2) before anything is queued.
for bad in "0" "2 --shard 1/2" "2 --models no-such-model"; do
  # shellcheck disable=SC2086  # each case is several words
  SHISHU_BIN_DIR="$bin" "$src/scripts/slurm/submit.sh" "$work/refused" $bad >/dev/null 2>&1
  rc=$?
  ((rc == 2)) || fail "submit.sh RUN $bad: exit $rc, want 2"
done
[[ -z $(squeue -h) ]] || fail "a refused submission queued a job: $(squeue)"

args=(--preset "$sweep" --reps 3 --shard-by count)  # round-robin: shard i holds positions i, i+4, ... (checked below)
mapfile -t plan < <("$bin/shishu-bench" run "${args[@]}" --list 2>/dev/null | cut -f1)
((${#plan[@]} == 12)) || die "the tiny sweep lists ${#plan[@]} points, want 12"
run="$work/run"
ids=$(SHISHU_BIN_DIR="$bin" "$src/scripts/slurm/submit.sh" "$run" 4 "${args[@]}" | tail -1)
[[ $ids =~ ^array=([0-9]+)\ merge=([0-9]+)$ ]] || die "submit.sh printed '$ids'"
array=${BASH_REMATCH[1]} merge=${BASH_REMATCH[2]}
note "submitted array $array, merge $merge"

# The fault: task 2 cancelled once it has journaled a point. It is frozen (SIGSTOP, to
# the PID its run folder's lock names) from then on, so that "halfway" does not depend on
# how fast this machine is; scancel then sends SIGCONT and SIGTERM, and it stops on the
# TERM with its journal whole.
journal="$run/shard-2/journal.jsonl"
for _ in $(seq 600); do (($(lines "$journal") >= 1)) && break; sleep 0.1; done
kill -STOP "$(cat "$run/shard-2/.lock")" || fail "could not freeze task 2"
kept=$(lines "$journal")
scancel "${array}_2"
wait_jobs 150 "$array" "$merge" || die "the array or the merge did not finish in time"
((kept == $(lines "$journal"))) || fail "task 2 journaled more points after it was frozen"
note "task 2 cancelled with $kept point(s) journaled: $(scontrol show job "${array}_2" | grep -o 'JobState=[A-Z]*')"
((kept >= 1 && kept < 3)) || fail "task 2 had $kept of its 3 points journaled when cancelled, want 1 or 2"
[[ ! -f $run/shard-2/report.json ]] || fail "the cancelled task wrote a report"
scontrol show job "${array}_2" | grep -q 'JobState=CANCELLED' || fail "task 2 is not CANCELLED: $(scontrol show job "${array}_2")"
grep -qF "interrupted; finished points are in $journal" "$run/slurm/logs/shard-${array}_2.out" ||
  fail "task 2 did not stop on scancel's SIGTERM: $(tail -3 "$run/slurm/logs/shard-${array}_2.out")"
merge_log="$run/slurm/logs/merge-$merge.out"
[[ $(exit_code "$merge") == 3 ]] || fail "the merge exited $(exit_code "$merge"), want 3 (incomplete): $(cat "$merge_log")"
# The reference for shard 2's points: positions 2, 6, 10 of the unsharded list.
missing=$(grep -c '^  missing: ' "$merge_log")
((missing == 3)) || fail "the merge names $missing missing points, want 3: $(cat "$merge_log")"
for k in 2 6 10; do grep -qxF "  missing: ${plan[k]}" "$merge_log" || fail "the merge does not name ${plan[k]}"; done
grep -qF "submit.sh --resume $run 2" "$merge_log" || fail "the merge does not say how to resubmit shard 2: $(cat "$merge_log")"

ids=$("$src/scripts/slurm/submit.sh" --resume "$run" 2 | tail -1)
[[ $ids =~ ^array=([0-9]+)\ merge=([0-9]+)$ ]] || die "submit.sh --resume printed '$ids'"
again=${BASH_REMATCH[1]} merge=${BASH_REMATCH[2]}
wait_jobs 120 "$again" "$merge" || die "the resubmitted shard or its merge did not finish in time"
note "resubmitted shard 2 as $again, merged by $merge"
grep -qF "($kept already finished)" "$run/slurm/logs/shard-${again}_2.out" ||
  fail "the resubmitted shard did not continue from its journal: $(cat "$run/slurm/logs/shard-${again}_2.out")"
[[ $(exit_code "$merge") == 0 ]] || fail "the second merge exited $(exit_code "$merge"): $(cat "$run/slurm/logs/merge-$merge.out")"

cpu=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: //')
python3 - "$run/report.json" "$host" "$(hostname)" "$cpu" "${plan[@]}" <<'EOF' || fail "the merged report (above)"
import json, sys
path, short, full, cpu, plan = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
context = json.load(open(path))["context"]
ids = [p["id"] for p in json.load(open(path))["points"]]
bad = []
if ids != plan:
    bad.append(f"merged ids {ids} are not the unsharded list {plan}")
owner = {pid: s for s in context["shards"] for pid in s["points"]}
for k, pid in enumerate(plan):
    s = owner.get(pid)
    if s is None:
        bad.append(f"{pid}: in no shard's context"); continue
    i = k % 4
    if s["shard"] != f"{i}/4": bad.append(f"{pid}: shard {s['shard']}, want {i}/4")
    if not s["shard_source"].startswith(f"slurm: SLURM_ARRAY_TASK_ID={i},"): bad.append(f"{pid}: source {s['shard_source']}")
    if s["host"] not in (short, full): bad.append(f"{pid}: host {s['host']}")
    if not s["started_at"] or not s["started_at"] <= s["finished_at"]: bad.append(f"{pid}: times {s['started_at']} {s['finished_at']}")
    if [d["name"] for d in s["devices"]] != [cpu]: bad.append(f"{pid}: devices {s['devices']}")
resumed = [s for s in context["shards"] if s["shard"] == "2/4"][0]
if not resumed.get("resumed") or "--shard-count 4" not in resumed["shard_source"]:
    bad.append(f"shard 2's context does not say it was resumed with --shard-count 4: {resumed}")
if "missing_points" in context or "notes" in context: bad.append("the whole merge still notes something missing")
for b in bad: print(b)
sys.exit(1 if bad else 0)
EOF

# A bad shard: one of another preset (a real run of the same grid under another name),
# and one of another build (shard 3's report with another commit stamped).
sed 's/"name": "tiny"/"name": "tiny-other"/' "$sweep" >"$work/other.json"
"$bin/shishu-bench" run --preset "$work/other.json" --reps 3 --shard-by count --shard 1/4 --out "$work/other-1" >"$work/other.log" 2>&1 ||
  fail "the other preset's shard did not run: $(tail -5 "$work/other.log")"
shard_reports() { for i in 0 1 2 3; do echo "$run/shard-$i/report.json"; done; }
mapfile -t reports < <(shard_reports)
"$bin/shishu-report" merge "${reports[0]}" "$work/other-1/report.json" "${reports[2]}" "${reports[3]}" >/dev/null 2>"$work/err"
rc=$?
if ((rc != 2)) || ! grep -qF "'preset' differs: \"tiny\" in ${reports[0]}, \"tiny-other\" in $work/other-1/report.json" "$work/err"; then
  fail "another preset's shard: exit $rc, $(cat "$work/err")"
fi
python3 -c 'import json, sys
r = json.load(open(sys.argv[1])); r["context"]["git_commit"] = "0" * 40
json.dump(r, open(sys.argv[2], "w"))' "${reports[3]}" "$work/other-build.json"
"$bin/shishu-report" merge "${reports[@]:0:3}" "$work/other-build.json" >/dev/null 2>"$work/err"
rc=$?
if ((rc != 2)) || ! grep -qF "'git_commit' differs" "$work/err" || ! grep -qF "$work/other-build.json" "$work/err"; then
  fail "another build's shard: exit $rc, $(cat "$work/err")"
fi

note "done, $fails failure(s)"
echo "slurm test wall time: $((SECONDS - begin)) s"
exit $((fails > 0))
