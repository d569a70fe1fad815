#!/usr/bin/env bash
# Two helix binaries side by side on the same benches, alternating, two rounds each
# (the "no speed change" check of a refactoring). Run on a quiet machine, nothing else running.
#   bench/ab_compare.sh OLD_HELIX NEW_HELIX [BERT_BASE.hlx]
# BERT_BASE.hlx: a BERT-base-size model (e.g. tools/make_random_bert.py, then helix convert bert);
# without it the BERT-base rows are left out.
set -u
[ $# -ge 2 ] || { sed -n 2,6p "$0" >&2; exit 2; }
OLD=$(realpath "$1"); NEW=$(realpath "$2"); BERT=${3:-}
cd "$(dirname "$0")/.."
docs=$(mktemp); trap 'rm -f "$docs"' EXIT
python3 -c 'import json,sys
for l in open("models/triage/hoc_test.jsonl"): print(json.loads(l).get("text","").replace("\n"," "))' > "$docs"
run() { # label command...
  local label=$1; shift
  for round in 1 2; do
    for who in before after; do
      local bin=$OLD; [ $who = after ] && bin=$NEW
      echo "$label | $who | round $round | $("$bin" "$@" 2>&1 | tail -"${TAILN:-1}")"
    done
  done
}
TAILN=3 run "gemm 1t quick cpu-time" bench gemm --threads 1 --quick --cpu-time --reps 7
if [ -n "$BERT" ]; then
  run "bert-base s128 b1 1t" bench bert -m "$BERT" --seq 128 --batch 1 --threads 1 --runs 10 --json
  run "bert-base s128 b1 2t" bench bert -m "$BERT" --seq 128 --batch 1 --threads 2 --runs 10 --json
fi
run "bert_a s128 b8 1t" bench bert -m models/triage/bert_a.hlx --seq 128 --batch 8 --threads 1 --runs 20 --json
run "seresnet34 224 b1 1t" bench seresnet --synthetic 1 --threads 1 --runs 10 --json
run "seresnet34 224 b1 2t" bench seresnet --synthetic 1 --threads 2 --runs 10 --json
run "tokenizer" bench tokenizer --vocab ../shared/data/bert/bert-base-uncased-vocab.txt --input "$docs" --repeat 5
TAILN=3 run "forest udp/biallelic" bench forest -m models/udp/biallelic.hlx --threads 1 --seconds 1
run "label-model 100000x20" bench label-model --repeat 3
