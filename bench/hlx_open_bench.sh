#!/usr/bin/env bash
# .hlx open / verify benchmark on a BERT-base-sized file (random weights).
#   bench/hlx_open_bench.sh [HELIX_BINARY] [WORK_DIR]
# Makes WORK_DIR/bert-base (HF checkpoint, ~440 MB, PyTorch from the oracle
# venv) once, converts it, then runs `helix info` (open + header checks) and
# `helix info --verify` five times each and prints every run's figures and
# the median, plus peak RSS from /usr/bin/time -v. The page cache is warm
# after the first run: these are warm-cache figures (a cold read is bound
# by the disk).
set -euo pipefail
HELIX=${1:-build/helix}
WORK=${2:-/tmp/hlx-bench}
PY=${PYTHON:-/work/venv/bin/python}
HERE=$(cd "$(dirname "$0")" && pwd)
VOCAB=${VOCAB:-$HERE/../../shared/data/bert/bert-base-uncased-vocab.txt}
mkdir -p "$WORK"
if [ ! -f "$WORK/bert-base/model.safetensors" ]; then
  "$PY" "$HERE/make_bert_base_checkpoint.py" "$WORK/bert-base" "$VOCAB"
fi
if [ ! -f "$WORK/bert-base.hlx" ]; then
  /usr/bin/time -v "$HELIX" convert bert "$WORK/bert-base" -o "$WORK/bert-base.hlx" 2> "$WORK/convert.time" \
    || { cat "$WORK/convert.time"; exit 1; }
  grep -E "Elapsed|Maximum resident" "$WORK/convert.time" | sed 's/^\s*/convert: /'
fi
ls -l "$WORK/bert-base.hlx"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for i in 1 2 3 4 5; do "$HELIX" info "$WORK/bert-base.hlx" --json; done > "$WORK/open.jsonl"
for i in 1 2 3 4 5; do "$HELIX" info "$WORK/bert-base.hlx" --json --verify; done > "$WORK/verify.jsonl"
echo "open+check ms (5 runs): $(sed 's/.*"open_ms":\([0-9.e+-]*\).*/\1/' "$WORK/open.jsonl" | tr '\n' ' ')"
echo "open+check ms median:   $(sed 's/.*"open_ms":\([0-9.e+-]*\).*/\1/' "$WORK/open.jsonl" | median)"
echo "open+check CPU ms median: $(sed 's/.*"open_cpu_ms":\([0-9.e+-]*\).*/\1/' "$WORK/open.jsonl" | median)"
echo "verify GB/s (5 runs):   $(sed 's/.*"gb_per_s":\([0-9.e+-]*\).*/\1/' "$WORK/verify.jsonl" | tr '\n' ' ')"
echo "verify GB/s median:     $(sed 's/.*"gb_per_s":\([0-9.e+-]*\).*/\1/' "$WORK/verify.jsonl" | median)"
size=$(stat -c %s "$WORK/bert-base.hlx")
echo "verify GB/s per CPU-second median: $(sed 's/.*"cpu_seconds":\([0-9.e+-]*\).*/\1/' "$WORK/verify.jsonl" | median | awk -v s="$size" '{printf "%.2f", s / $1 / 1e9}')"
/usr/bin/time -v "$HELIX" info "$WORK/bert-base.hlx" > /dev/null 2> "$WORK/info.time"
echo "peak RSS, info:          $(grep 'Maximum resident' "$WORK/info.time" | awk '{print $NF}') KB"
/usr/bin/time -v "$HELIX" info "$WORK/bert-base.hlx" --verify > /dev/null 2> "$WORK/verify.time"
echo "peak RSS, info --verify: $(grep 'Maximum resident' "$WORK/verify.time" | awk '{print $NF}') KB (mapped file pages, shared with the page cache, not copies)"
