"""The label matrices of the abstract-triage task, from the Python sources:
LF votes (apply_lfs.py, the semantics of `helix lf apply`), then each forest's
and each BERT's vote (P(1) >= 0.5 from their NAME.probs.jsonl). Writes
$HELIX_TRAIN_OUT/triage/L_{train,dev,test}.csv (header = source names) and
gold_{split}.csv. The bundled label model is fitted on L_dev.csv.
Usage: triage_votes.py BERT_NAME...
"""
import json
import sys

from apply_lfs import compile_rules, vote
from common import out_path, read_jsonl
from train_forests import FORESTS

THRESHOLD = 0.5


def probs(path):
    return {r["pmid"]: r["p"] for r in map(json.loads, open(path))}


def main():
    berts = sys.argv[1:]
    rules = json.load(open(__file__.replace("triage_votes.py", "lf_rules.json")))
    compiled = compile_rules(rules)
    models = [(n, probs(out_path("forests", n + ".probs.jsonl"))) for n, *_ in FORESTS]
    models += [(b, probs(out_path("bert", b + ".probs.jsonl"))) for b in berts]
    names = [lf["name"] for lf in rules["lfs"]] + [n for n, _ in models]
    for split in ("train", "dev", "test"):
        rows = read_jsonl(out_path("abstracts", "hoc_%s.jsonl" % split))
        with open(out_path("triage", "L_%s.csv" % split), "w") as f, \
                open(out_path("triage", "gold_%s.csv" % split), "w") as g:
            f.write(",".join(names) + "\n")
            for r in rows:
                v = vote(compiled, r) + [int(p[r["pmid"]] >= THRESHOLD) for _, p in models]
                f.write(",".join(map(str, v)) + "\n")
                g.write("%d\n" % r["label"])
    print("%d sources: %s" % (len(names), ", ".join(names)))


if __name__ == "__main__":
    main()
