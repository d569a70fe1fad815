#!/usr/bin/env bash
# The sizing table of docs/cluster.md: records/s on one core for each record command, the
# throughput of 2 shard tasks (one core each) against 1, and the memory of a second task that
# shares a model file with the first (the .hlx is mmapped read-only, so its pages are shared).
#   tools/bench_cluster.sh [HELIX_BINARY]     (default build-rel/helix)
# Prints a Markdown table. Rates are given per wall second and per CPU second (user+sys): on a
# busy machine the CPU-second figure is the one to trust, and the CPU time of the same records
# split over 2 concurrent tasks against 1 task shows what running side by side costs (1.00: no
# interference). Takes 3-6 minutes on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
H=$(realpath "${1:-build-rel/helix}")
W=$(mktemp -d /tmp/helix-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
data=""
for d in "$ROOT/../shared/data" "$ROOT/../../shared/data"; do
  [ -f "$d/pubmed_abstracts/medical_tc_test.csv.xz" ] && { data=$d; break; }
done
[ -n "$data" ] || { echo "no ../shared/data" >&2; exit 1; }

# Inputs: real abstracts; phenopackets; HPO-term rows for a forest.
xz -dc "$data/pubmed_abstracts/medical_tc_test.csv.xz" | python3 -c '
import csv, json, sys
r = csv.reader(sys.stdin); next(r)
for i, row in enumerate(r):
    if i < 2000: print(json.dumps({"id": i + 1, "text": row[1]}))' > "$W/abstracts.jsonl"
head -1000 "$W/abstracts.jsonl" > "$W/abstracts1k.jsonl"
head -24 "$W/abstracts.jsonl" > "$W/abstracts24.jsonl"
for _ in $(seq 10); do cat models/udp/test_sample.jsonl; done > "$W/udp.jsonl"
"$H" convert forest tests/fixtures/forest/hpo_full_new.dump.json -o "$W/forest.hlx" >/dev/null 2>&1
{ head -1 tests/fixtures/forest/hpo_full_new.x.csv
  for _ in $(seq 150); do tail -n +2 tests/fixtures/forest/hpo_full_new.x.csv; done; } > "$W/forest.csv"
if [ ! -f "$W/../hxbench/bert_base.hlx" ] && [ ! -f /tmp/hxbench/bert_base.hlx ]; then
  mkdir -p /tmp/hxbench
  python3 tools/make_random_bert.py /tmp/hxbench/bert_base_hf "$data/bert/bert-base-uncased-vocab.txt" >/dev/null
  "$H" convert bert /tmp/hxbench/bert_base_hf -o /tmp/hxbench/bert_base.hlx >/dev/null
fi
BASE=/tmp/hxbench/bert_base.hlx

count() { local n; n=$(wc -l < "$1"); [ -n "$(tail -c1 "$1")" ] && n=$((n + 1)); echo "$n"; }

# name | input | records | helix arguments
apps=(
  "triage (3 tiny BERTs + 3 forests + 8 LFs + label model)|$W/abstracts1k.jsonl|triage --config $ROOT/models/triage.json"
  "classify-text, bundled tiny BERT (hidden 32), max-len 256|$W/abstracts.jsonl|classify-text -m $ROOT/models/triage/bert_a.hlx"
  "classify-text, BERT-base size (110M), max-len 256|$W/abstracts24.jsonl|classify-text -m $BASE --max-len 256"
  "tokenize (WordPiece, uncased)|$W/abstracts.jsonl|tokenize -m $ROOT/models/triage/bert_a.hlx"
  "lf apply (8 LFs)|$W/abstracts.jsonl|lf apply --lfs $ROOT/models/triage/lf_rules.json"
  "udp (HPO ontology + 4 forests)|$W/udp.jsonl|udp --config $ROOT/models/udp.json"
  "forest predict (hpo_full fixture forest, CSV rows)|$W/forest.csv|forest predict -m $W/forest.hlx --proba"
)

echo "| command | records | 1 task: rec/s (wall) | rec/s per CPU-second | 2 tasks: rec/s (wall) | 2 tasks / (2 x 1 task), wall | CPU-seconds, 2 tasks / 1 task | max RSS 1 task |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for a in "${apps[@]}"; do
  IFS='|' read -r name input cmd <<<"$a"
  n=$(count "$input")
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S %M" -o "$W/t1" env HELIX_THREADS=1 "$H" $cmd -i "$input" -o "$W/one" 2>/dev/null
  read -r e1 u1 s1 m1 < <(tail -1 "$W/t1")
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  HELIX_THREADS=1 /usr/bin/time -f "%U %S" -o "$W/c1" "$H" $cmd --shard 1/2 -i "$input" -o "$W/p1" 2>/dev/null &
  p1=$!
  # shellcheck disable=SC2086
  HELIX_THREADS=1 /usr/bin/time -f "%U %S" -o "$W/c2" "$H" $cmd --shard 2/2 -i "$input" -o "$W/p2" 2>/dev/null &
  p2=$!
  wait "$p1" "$p2"
  t1=$(date +%s.%N)
  "$H" merge "$W/p1" "$W/p2" 2>/dev/null | cmp -s - "$W/one" || echo "WARNING: $name: 2-shard output differs" >&2
  read -r cu1 cs1 < <(tail -1 "$W/c1")
  read -r cu2 cs2 < <(tail -1 "$W/c2")
  python3 - "$name" "$n" "$e1" "$u1" "$s1" "$m1" "$t0" "$t1" "$cu1" "$cs1" "$cu2" "$cs2" <<'EOF'
import sys
name, n, e1, u1, s1, m1, t0, t1, cu1, cs1, cu2, cs2 = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:])
r1, rc, r2 = n / e1, n / (u1 + s1), n / (t1 - t0)
cpu_ratio = (cu1 + cs1 + cu2 + cs2) / (u1 + s1)
f = lambda x: f"{x:,.1f}" if x < 100 else f"{x:,.0f}"
print(f"| {name} | {n:,} | {f(r1)} | {f(rc)} | {f(r2)} | {r2 / (2 * r1):.2f} | {cpu_ratio:.2f} | {m1 / 1024:.0f} MB |")
EOF
done

# Memory of a second task sharing the BERT-base model file.
rss_of() { # peak of Rss, Shared, Private (kB) of pid $1 while it runs
  local pid=$1 best=0 line r sh pr
  while kill -0 "$pid" 2>/dev/null; do
    line=$(awk '/^Rss:/{r=$2} /^Shared_Clean:/{s+=$2} /^Shared_Dirty:/{s+=$2} /^Private_Clean:/{p+=$2} /^Private_Dirty:/{p+=$2} END{print r, s, p}' \
      "/proc/$pid/smaps_rollup" 2>/dev/null)
    read -r r sh pr <<<"$line"
    if [ -n "${r:-}" ] && [ "$r" -gt "$best" ]; then best=$r; echo "$r $sh $pr" > "$W/rss.$pid"; fi
    sleep 0.1
  done
  cat "$W/rss.$pid" 2>/dev/null
}
sync
HELIX_THREADS=1 "$H" classify-text -m "$BASE" --max-len 256 -i "$W/abstracts24.jsonl" -o "$W/m0" 2>/dev/null &
q=$!
read -r r0 s0 p0 < <(rss_of $q)
wait $q
HELIX_THREADS=1 "$H" classify-text -m "$BASE" --max-len 256 --shard 1/2 -i "$W/abstracts24.jsonl" -o "$W/m1" 2>/dev/null &
q1=$!
sleep 1
HELIX_THREADS=1 "$H" classify-text -m "$BASE" --max-len 256 --shard 2/2 -i "$W/abstracts24.jsonl" -o "$W/m2" 2>/dev/null &
q2=$!
rss_of $q1 > "$W/a1" &
read -r r2 s2 p2 < <(rss_of $q2)
wait
read -r r1 s1 p1 < "$W/a1"
echo
echo "BERT-base-size model ($(($(stat -c %s "$BASE") / 1000000)) MB .hlx), classify-text --max-len 256, 1 thread each:"
echo "  one task alone:   RSS $((r0 / 1024)) MB (shared $((s0 / 1024)) MB, private $((p0 / 1024)) MB)"
echo "  two tasks, first: RSS $((r1 / 1024)) MB (shared $((s1 / 1024)) MB, private $((p1 / 1024)) MB)"
echo "  two tasks, second: RSS $((r2 / 1024)) MB (shared $((s2 / 1024)) MB, private $((p2 / 1024)) MB)"
echo "  memory added by the second task: its private pages, $((p2 / 1024)) MB"
