"""Shared pieces of the helix training scripts: paths, seeds, the abstract split
and the text featurizer that pipelines/text_features.c reproduces bit for bit.

Everything here is deterministic: no hash randomisation, no thread-dependent
reductions. Outputs go to /work/train-out (HELIX_TRAIN_OUT), never into the repo.
"""
import hashlib
import json
import math
import os

SHARED = os.environ.get("HELIX_SHARED_DATA", "/work/shared/data")
OUT = os.environ.get("HELIX_TRAIN_OUT", "/work/train-out")
VOCAB_TXT = os.path.join(SHARED, "bert", "bert-base-uncased-vocab.txt")
TOKENIZER_JSON = os.path.join(SHARED, "bert", "bert-base-uncased-tokenizer.json")

POSITIVE_HALLMARK = "Genomic instability and mutation"


def out_path(*parts):
    p = os.path.join(OUT, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def split_of_pmid(pmid):
    """The fixed split of the abstract-triage task (docs/abstract-triage-task.md):
    b = first 4 bytes of SHA-256("helix-hoc-split-v1:" + PMID) as a big-endian
    integer, r = b mod 100; train if r < 60, dev if r < 80, else test."""
    h = hashlib.sha256(("helix-hoc-split-v1:" + str(pmid)).encode("ascii")).digest()
    r = int.from_bytes(h[:4], "big") % 100
    return "train" if r < 60 else ("dev" if r < 80 else "test")


def split_of_patient(pid):
    """Patient-level split of the UDP task (docs/udp-task.md), same rule with
    its own salt: train if r < 70, else test."""
    h = hashlib.sha256(("helix-udp-split-v1:" + pid).encode("utf-8")).digest()
    r = int.from_bytes(h[:4], "big") % 100
    return "train" if r < 70 else "test"


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")


# ---------------------------------------------------------------------------
# The text featurizer ("helix-bow-v1"), defined in docs/abstract-triage-task.md.
#
# tokens: the text's bytes (UTF-8), ASCII A-Z lowered to a-z; a token is a
#   maximal run of bytes in [a-z0-9]; every other byte (incl. all bytes >= 0x80)
#   separates; runs shorter than 2 bytes are dropped.
# counts: c_j = number of tokens equal to vocab[j] (tokens not in the vocabulary
#   are ignored).
# "counts" features: x_j = (float32) c_j.
# "tfidf" features: v_j = c_j * idf_j in IEEE double (idf_j a double stored in
#   the model), s = sum of v_j^2 over j in increasing j, added left to right in
#   double, n = sqrt(s); x_j = (float32)(v_j / n) when n > 0, else 0.
# ---------------------------------------------------------------------------

def text_tokens(text):
    b = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    toks, cur = [], bytearray()
    for c in b:
        if 65 <= c <= 90:
            c += 32
        if 97 <= c <= 122 or 48 <= c <= 57:
            cur.append(c)
        else:
            if len(cur) >= 2:
                toks.append(cur.decode("ascii"))
            cur = bytearray()
    if len(cur) >= 2:
        toks.append(cur.decode("ascii"))
    return toks


def text_counts(text, index):
    """index: dict token -> feature id. Returns {feature id: count}."""
    c = {}
    for t in text_tokens(text):
        j = index.get(t)
        if j is not None:
            c[j] = c.get(j, 0) + 1
    return c


def featurize(texts, feat):
    """feat: {"kind": "counts"|"tfidf", "vocab": [...], "idf": [...] (tfidf)}.
    Returns a float32 numpy matrix, rows = texts."""
    import numpy as np
    vocab = feat["vocab"]
    index = {t: j for j, t in enumerate(vocab)}
    X = np.zeros((len(texts), len(vocab)), dtype=np.float32)
    for i, text in enumerate(texts):
        c = text_counts(text, index)
        if feat["kind"] == "counts":
            for j, n in c.items():
                X[i, j] = np.float32(n)
            continue
        idf = feat["idf"]
        js = sorted(c)
        v = [c[j] * idf[j] for j in js]
        s = 0.0
        for x in v:
            s += x * x
        n = math.sqrt(s)
        if n > 0:
            for j, x in zip(js, v):
                X[i, j] = np.float32(x / n)
    return X


def fit_featurizer(texts, kind, max_features, min_df=2):
    """Vocabulary = the max_features tokens with the highest document frequency
    in texts (ties broken by the token's byte order), with df >= min_df;
    idf_j = ln((1 + n) / (1 + df_j)) + 1 (scikit-learn's smooth idf)."""
    df = {}
    for t in texts:
        for tok in set(text_tokens(t)):
            df[tok] = df.get(tok, 0) + 1
    cand = sorted((tok for tok, n in df.items() if n >= min_df), key=lambda tok: (-df[tok], tok))
    vocab = sorted(cand[:max_features])
    feat = {"type": "helix-bow-v1", "kind": kind, "vocab": vocab}
    if kind == "tfidf":
        n = len(texts)
        feat["idf"] = [math.log((1 + n) / (1 + df[tok])) + 1.0 for tok in vocab]
    return feat
