#!/bin/sh
# Trains every model of the two applications from /work/shared/data and
# assembles the bundle under models/ (docs/abstract-triage-task.md,
# docs/udp-task.md). Seeded and single-threaded; ~30-60 min on one core.
#   HELIX=path/to/helix  HELIX_TRAIN_OUT=/work/train-out  tools/train/run_all.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
py=${PYTHON:-/work/venv/bin/python}
helix=${HELIX:-helix}
out=${HELIX_TRAIN_OUT:-/work/train-out}
cd "$here"

# --- abstract triage -------------------------------------------------------
$py prepare_abstracts.py
$py train_forests.py
$py pretrain_mlm.py mlm_l2_h32 --epochs 1
$py finetune_bert.py --pretrained mlm_l2_h32 --seed 1 --max-len 256 --lr 3e-3 --epochs 8 bert_a
$py finetune_bert.py --pretrained mlm_l2_h32 --seed 2 --max-len 128 --lr 3e-3 --epochs 8 bert_b
$py finetune_bert.py --pretrained mlm_l2_h32 --seed 3 --max-len 256 --lr 2e-3 --epochs 8 bert_c
$py export_models.py triage
$py triage_votes.py bert_a bert_b bert_c
sh "$here/build_triage_bundle.sh"

# --- undiagnosed-disease triage -------------------------------------------
$py train_udp.py
$py write_udp_split.py
$py export_models.py udp
mkdir -p "$repo/models/udp"
for t in male pediatric structural_variant biallelic; do
    "$helix" convert forest "$out/export/udp_$t.forest.json" -o "$repo/models/udp/$t.hlx"
done
gzip -dc /work/shared/data/hpo/hp.v2024-04-26.json.gz > "$out/hp.json"
"$helix" udp ontology "$out/hp.json" -o "$repo/models/udp/hpo-2024-04-26.hlx"
