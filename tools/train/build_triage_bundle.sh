#!/bin/sh
# Converts the trained triage models into models/triage/ and fits the bundled
# label model on the dev split's votes (run by run_all.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
helix=${HELIX:-helix}
out=${HELIX_TRAIN_OUT:-/work/train-out}
dst="$repo/models/triage"
mkdir -p "$dst"
cp "$here/lf_rules.json" "$dst/lf_rules.json"
for n in rf_counts rf_tfidf rf_tfidf_small; do
    "$helix" convert forest "$out/export/$n.forest.json" -o "$out/export/$n.plain.hlx"
    "$helix" triage attach-features "$out/export/$n.plain.hlx" "$out/forests/$n.features.json" -o "$dst/$n.hlx"
done
for b in bert_a bert_b bert_c; do
    "$helix" convert bert "$out/bert/$b" -o "$dst/$b.hlx" --name "$b"
done
# snorkel's LabelModel defaults, seed 123, on the dev votes (no gold labels used)
"$helix" label-model fit -L "$out/triage/L_dev.csv" --cardinality 2 --seed 123 -o "$dst/label_model.json"
cp "$out/abstracts/hoc_test.jsonl" "$dst/hoc_test.jsonl"
