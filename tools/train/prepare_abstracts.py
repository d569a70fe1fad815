"""Builds the abstract-triage data set (docs/abstract-triage-task.md) and the
masked-LM corpus from /work/shared/data/pubmed_abstracts.

Outputs (in $HELIX_TRAIN_OUT/abstracts/):
  hoc_{train,dev,test}.jsonl  {"pmid", "text", "label"}  label 1 = some sentence
                              carries the "Genomic instability and mutation" hallmark
  mlm_corpus.jsonl            {"source", "text"}: every abstract in the data
                              (HoC, PubMedQA PQA-L, Medical-Abstracts-TC test split)
"""
import ast
import csv
import io
import json
import lzma
import os
import tarfile

from common import POSITIVE_HALLMARK, SHARED, out_path, split_of_pmid, write_jsonl


def load_hoc():
    tf = tarfile.open(os.path.join(SHARED, "pubmed_abstracts", "hallmarks_of_cancer.tar.xz"))
    texts, labels = {}, {}
    for m in tf.getmembers():
        if not m.isfile() or not m.name.endswith(".txt"):
            continue
        parts = m.name.split("/")
        if len(parts) < 2 or parts[-2] not in ("text", "labels"):
            continue
        pmid = parts[-1][:-4]
        data = tf.extractfile(m).read().decode("utf-8")
        (texts if parts[-2] == "text" else labels)[pmid] = data
    rows = []
    for pmid in sorted(texts, key=int):
        sentences = [s.strip() for s in texts[pmid].split("\n") if s.strip()]
        fields = labels[pmid].split("<")[:-1]
        assert len(fields) == len(sentences), pmid
        # a field lists labels joined by "AND", hierarchy written Parent--Child
        pos = any(POSITIVE_HALLMARK in f for f in fields)
        rows.append({"pmid": pmid, "text": " ".join(sentences), "label": int(pos)})
    return rows


def load_pubmedqa():
    d = json.load(lzma.open(os.path.join(SHARED, "pubmed_abstracts", "pubmedqa_ori_pqal.json.xz")))
    out = []
    for pmid in sorted(d, key=int):
        v = d[pmid]
        ctx = v["CONTEXTS"]
        if isinstance(ctx, str):
            ctx = ast.literal_eval(ctx)
        out.append(" ".join([v["QUESTION"]] + list(ctx) + [v.get("LONG_ANSWER", "")]).strip())
    return out


def load_medical_tc():
    raw = lzma.open(os.path.join(SHARED, "pubmed_abstracts", "medical_tc_test.csv.xz")).read().decode("utf-8")
    return [r["medical_abstract"] for r in csv.DictReader(io.StringIO(raw))]


def main():
    hoc = load_hoc()
    for split in ("train", "dev", "test"):
        rows = [r for r in hoc if split_of_pmid(r["pmid"]) == split]
        write_jsonl(out_path("abstracts", "hoc_%s.jsonl" % split), rows)
        print("hoc %-5s %4d abstracts, %3d positive" % (split, len(rows), sum(r["label"] for r in rows)))
    corpus = [{"source": "hoc", "text": r["text"]} for r in hoc]
    corpus += [{"source": "pubmedqa", "text": t} for t in load_pubmedqa()]
    corpus += [{"source": "medical_tc", "text": t} for t in load_medical_tc()]
    write_jsonl(out_path("abstracts", "mlm_corpus.jsonl"), corpus)
    print("mlm corpus: %d abstracts" % len(corpus))


if __name__ == "__main__":
    main()
