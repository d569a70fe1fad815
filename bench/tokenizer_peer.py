#!/usr/bin/env python3
"""Peer benchmark for `helix bench tokenizer`: Hugging Face `tokenizers`
(PyPI, single-threaded encode_batch) on the same documents, then helix on the
same file, the speed ratio, and an exact comparison of every encoding
(ids, type ids, attention mask, offsets) through `helix tokenize`.

  # 1. the abstracts corpus, one document per line (newlines -> spaces)
  python3 bench/tokenizer_peer.py --write-corpus /tmp/abstracts.txt
  # 2. both tokenizers, ratio and mismatches
  /work/venv/bin/python bench/tokenizer_peer.py --input /tmp/abstracts.txt \
      --helix BUILD/helix [--cased] [--repeat 5]
"""
import argparse
import csv
import io
import json
import lzma
import os
import re
import statistics
import subprocess
import sys
import tarfile
import time

# Single-threaded reference: must be set before tokenizers starts its pool.
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["RAYON_RS_NUM_CPUS"] = "1"

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "data")


def write_corpus(path):
    d = os.path.join(SHARED, "pubmed_abstracts")
    docs = []
    with tarfile.open(os.path.join(d, "hallmarks_of_cancer.tar.xz")) as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if m.isfile() and "/text/" in m.name and m.name.endswith(".txt"):
                docs.append(tf.extractfile(m).read().decode("utf-8", errors="replace"))
    with lzma.open(os.path.join(d, "pubmedqa_ori_pqal.json.xz"), "rb") as f:
        pq = json.loads(f.read().decode("utf-8"))
    for k in sorted(pq):
        docs.append(" ".join([pq[k]["QUESTION"]] + pq[k]["CONTEXTS"] + [pq[k]["LONG_ANSWER"]]))
    with lzma.open(os.path.join(d, "medical_tc_test.csv.xz"), "rb") as f:
        rows = list(csv.reader(io.StringIO(f.read().decode("utf-8"), newline="")))
    docs += [r[1] for r in rows[1:]]
    with open(path, "wb") as f:
        for doc in docs:
            f.write(re.sub(r"[\r\n]", " ", doc).encode("utf-8") + b"\n")
    print("wrote %d documents to %s" % (len(docs), path))


def load_tokenizer(cased):
    from tokenizers import Tokenizer
    with open(os.path.join(SHARED, "bert", "bert-base-uncased-tokenizer.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    cfg["truncation"] = None
    cfg["padding"] = None
    if cased:
        with open(os.path.join(SHARED, "bert", "bert-base-cased-vocab.txt"), encoding="utf-8") as f:
            words = f.read().split("\n")
        if words[-1] == "":
            words.pop()
        cfg["model"]["vocab"] = {w: i for i, w in enumerate(words)}
        cfg["normalizer"]["lowercase"] = False
    return Tokenizer.from_str(json.dumps(cfg))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--write-corpus", metavar="FILE")
    ap.add_argument("--input", metavar="FILE")
    ap.add_argument("--helix", metavar="PATH", help="helix binary to compare against")
    ap.add_argument("--cased", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    if a.write_corpus:
        write_corpus(a.write_corpus)
        return 0
    if not a.input:
        ap.error("--input or --write-corpus is required")
    import tokenizers
    with open(a.input, "rb") as f:
        raw = f.read()
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    docs = [l.decode("utf-8", errors="replace") for l in lines]
    tok = load_tokenizer(a.cased)
    times, encs = [], None
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        encs = tok.encode_batch(docs)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    ntok = sum(len(e.ids) for e in encs)
    print("peer tokenizers %s (encode_batch, 1 thread): %d documents, %.2f MB, %d tokens"
          % (tokenizers.__version__, len(docs), len(raw) / 1e6, ntok))
    print("  median of %d: %.4f s  %.2f MB/s  %.2f M tokens/s"
          % (a.repeat, med, len(raw) / 1e6 / med, ntok / 1e6 / med))
    if not a.helix:
        return 0
    vocab = os.path.join(SHARED, "bert", "bert-base-%s-vocab.txt" % ("cased" if a.cased else "uncased"))
    casing = ["--cased"] if a.cased else []
    out = subprocess.run([a.helix, "bench", "tokenizer", "--vocab", vocab, "--input", a.input,
                          "--repeat", str(a.repeat)] + casing,
                         check=True, capture_output=True, text=True).stdout
    print("helix:\n  " + "\n  ".join(out.strip().split("\n")[1:2]))
    m = re.search(r"result seconds=([0-9.]+) bytes=(\d+) tokens=(\d+)", out)
    hsec, htok = float(m.group(1)), int(m.group(3))
    print("ratio (helix speed / peer speed): %.2fx" % (med / hsec))
    # Exactness on every document.
    res = subprocess.run([a.helix, "tokenize", "--vocab", vocab, "--format", "text"] + casing,
                         input=raw, check=True, capture_output=True).stdout.decode().split("\n")
    bad = 0
    for i, e in enumerate(encs):
        h = json.loads(res[i])
        if (h.get("input_ids") != e.ids or h.get("token_type_ids") != e.type_ids
                or h.get("attention_mask") != e.attention_mask
                or [tuple(x) for x in h.get("offsets", [])] != e.offsets):
            bad += 1
    print("mismatches: %d of %d documents (tokens: helix %d, peer %d)" % (bad, len(encs), htok, ntok))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
