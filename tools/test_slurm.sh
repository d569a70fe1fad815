#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine (loopback only), running the job-array script of
# dist/slurm/ over 2,000 real abstracts (docs/cluster.md):
#   - installs Debian's slurm-wlm and munge (as root), writes a slurm.conf for localhost with 2 CPUs
#     and starts munged, slurmctld and slurmd from a temporary folder;
#   - submits `helix triage` as an array of 4 shard tasks plus a merge job (--dependency=afterok);
#   - requeues one task while it runs (`scontrol requeue`), which kills it; it starts again and
#     resumes from its part file;
#   - checks that the merged output equals the single-process run byte for byte.
# Bounded in time (HX_SLURM_TIMEOUT, default 110 s, for the cluster part); every daemon is stopped
# at the end, also on failure. Prints "slurm: PASS" or "slurm: FAIL: why" and exits 0 or 1.
# usage: tools/test_slurm.sh [HELIX_BINARY]   (default: build-rel/helix, then build/helix)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
H=${1:-}
[ -n "$H" ] || for c in build-rel/helix build/helix build-test/helix; do [ -x "$c" ] && { H=$c; break; }; done
[ -x "${H:-}" ] || { echo "slurm: FAIL: no helix binary (build first or pass its path)"; exit 1; }
H=$(realpath "$H")
timeout_s=${HX_SLURM_TIMEOUT:-110}
step() { echo "slurm: $*" >&2; }
fail() { echo "slurm: FAIL: $*"; exit 1; }

# The abstracts: the first 2,000 of the Medical-Abstracts-TC test split (real PubMed abstracts).
data=""
for d in "$ROOT/../shared/data" "$ROOT/../../shared/data" "${HX_SHARED_DATA:-/nonexistent}"; do
  [ -f "$d/pubmed_abstracts/medical_tc_test.csv.xz" ] && { data=$d; break; }
done
[ -n "$data" ] || fail "no ../shared/data/pubmed_abstracts/medical_tc_test.csv.xz"

if [ "$(id -u)" -ne 0 ]; then fail "needs root (installs slurm-wlm and munge, runs the daemons)"; fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  step "installing slurm-wlm and munge"
  DEBIAN_FRONTEND=noninteractive apt-get install -y slurm-wlm munge >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y slurm-wlm munge >/dev/null 2>&1; } ||
    fail "apt-get install slurm-wlm munge failed"
fi

D=$(mktemp -d /tmp/helix-slurm.XXXXXX)
chmod 755 "$D"
pids=()
cleanup() {
  # Stop what we started, by pid, newest first; then anything of our jobs left.
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null; done
  sleep 0.5
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -9 "${pids[i]}" 2>/dev/null; done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do wait "${pids[i]}" 2>/dev/null; done
  if [ -n "${HX_SLURM_KEEP:-}" ]; then echo "slurm: kept $D" >&2; else rm -rf "$D"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

xz -dc "$data/pubmed_abstracts/medical_tc_test.csv.xz" | python3 -c '
import csv, json, sys
r = csv.reader(sys.stdin); next(r)
for i, row in enumerate(r):
    if i < 2000: print(json.dumps({"id": i + 1, "text": row[1]}))' > "$D/abstracts.jsonl" || fail "cannot unpack the abstracts"
[ "$(wc -l < "$D/abstracts.jsonl")" -eq 2000 ] || fail "expected 2000 abstracts"

# munge, with its own key, socket and files.
mkdir -p "$D/munge" "$D/state" "$D/spool" "$D/parts"
chmod 700 "$D/munge"
dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$D/munge/munge.key"
munged -F --force --key-file="$D/munge/munge.key" --socket="$D/munge/munge.socket" \
  --pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" --seed-file="$D/munge/seed" \
  2>"$D/munge/stderr" &
pids+=($!)
for _ in $(seq 50); do [ -S "$D/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$D/munge/munge.socket" ] || fail "munged did not start: $(cat "$D/munge/stderr" "$D/munge/munged.log" 2>/dev/null | tail -3)"
munge -S "$D/munge/munge.socket" -n | unmunge -S "$D/munge/munge.socket" >/dev/null ||
  fail "munge credential round trip failed"

# Free loopback ports for slurmctld and slurmd.
ports=$(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')
read -r ctld_port d_port <<<"$ports"
cat > "$D/slurm.conf" <<EOF
ClusterName=helixtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
CommunicationParameters=NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$D/munge/munge.socket
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
KillWait=2
InactiveLimit=0
MinJobAge=600
SchedulerParameters=sched_interval=1
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
: > "$D/cgroup.conf"
export SLURM_CONF=$D/slurm.conf

step "starting slurmctld and slurmd (ports $ctld_port, $d_port on 127.0.0.1)"
slurmctld -D -i -f "$D/slurm.conf" >"$D/slurmctld.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.1; done
scontrol ping 2>/dev/null | grep -q UP || fail "slurmctld did not come up: $(tail -3 "$D/slurmctld.log" "$D/slurmctld.out" 2>/dev/null)"
slurmd -D -N localhost -f "$D/slurm.conf" >"$D/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 150); do
  state=$(sinfo -h -n localhost -o %T 2>/dev/null)
  case $state in idle*|mixed*|allocated*) break ;; esac
  sleep 0.2
done
case $state in idle*|mixed*|allocated*) ;; *) fail "node not up (state '$state'): $(tail -3 "$D/slurmd.log" "$D/slurmd.out" 2>/dev/null)" ;; esac
step "node localhost: $state, $(sinfo -h -n localhost -o '%c CPUs')"

# The reference: one process over everything (run while the cluster idles).
cmd=(triage --config "$ROOT/models/triage.json")
HELIX_THREADS=1 "$H" "${cmd[@]}" < "$D/abstracts.jsonl" > "$D/single.jsonl" 2>/dev/null
[ -s "$D/single.jsonl" ] || fail "single-process run wrote nothing"

start=$(date +%s)
deadline=$((start + timeout_s))
out=$(HELIX="$H" bash dist/slurm/submit.sh -n 4 -c 1 -o "$D/merged.jsonl" -d "$D/parts" \
  "$D/abstracts.jsonl" "${cmd[@]}" 2>&1) || fail "submit failed: $out"
step "$out"
array=$(echo "$out" | sed -nE 's/^shards: job ([0-9]+).*/\1/p')
merge=$(echo "$out" | sed -nE 's/.*merge: job ([0-9]+).*/\1/p')
[ -n "$array" ] && [ -n "$merge" ] || fail "no job ids in: $out"

# Requeue task 2 once it is running and has written some records.
victim="${array}_2"
requeued=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  st=$(squeue -h -j "$victim" -o %T 2>/dev/null)
  part=$D/parts/part-2-of-4
  if [ "$st" = RUNNING ] && [ -s "$part" ] && [ "$(wc -l < "$part")" -ge 60 ]; then
    lines=$(wc -l < "$part")
    scontrol requeue "$victim" || fail "scontrol requeue $victim failed"
    requeued=1
    step "requeued task $victim while running, after $lines of its records"
    break
  fi
  sleep 0.2
done
[ "$requeued" -eq 1 ] || fail "task $victim never ran long enough to be requeued"
# A requeued job waits for its begin time; release it early so the test stays short.
sleep 1
scontrol update jobid="$victim" StartTime=now >/dev/null 2>&1
scontrol release "$victim" >/dev/null 2>&1

# Wait for the merge job.
mstate=""
while [ "$(date +%s)" -lt "$deadline" ]; do
  mstate=$(scontrol show job "$merge" 2>/dev/null | sed -nE 's/.*JobState=([A-Z_]+).*/\1/p' | head -1)
  case $mstate in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
  sleep 0.5
done
elapsed=$(($(date +%s) - start))
for K in 1 2 3 4; do
  log=$D/parts/shard-$K.log
  [ -f "$log" ] && sed "s/^/slurm:   shard $K: /" "$log" >&2
done
[ -f "$D/parts/merge.log" ] && sed 's/^/slurm:   merge: /' "$D/parts/merge.log" >&2
[ "$mstate" = COMPLETED ] || fail "merge job $merge ended as '${mstate:-still pending/running after ${timeout_s}s}'"
starts=$(grep -c "helix-shard: task 2/4 on" "$D/parts/shard-2.log" 2>/dev/null)
[ "${starts:-0}" -ge 2 ] || fail "task 2 did not run again after the requeue (started $starts times)"
grep -q "resuming" "$D/parts/shard-2.log" || fail "task 2 did not resume from its part file"
cmp -s "$D/merged.jsonl" "$D/single.jsonl" ||
  fail "merged output differs from the single-process run ($(wc -l < "$D/merged.jsonl") vs $(wc -l < "$D/single.jsonl") lines)"
echo "slurm: PASS: 4 shard tasks + merge over 2000 abstracts in ${elapsed}s; task 2 requeued mid-run and resumed; merged output = single-process output ($(wc -c < "$D/single.jsonl") bytes)"
