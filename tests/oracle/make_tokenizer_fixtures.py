#!/usr/bin/env python3
"""Expected outputs of the BERT WordPiece tokenizer, from the PyPI `tokenizers`
package (the Rust "fast" tokenizer; pinned in requirements.txt), for
tests/test_tokenizer_fixtures.c.

Inputs:
  - every abstract in ../shared/data/pubmed_abstracts (Hallmarks of Cancer,
    PubMedQA, Medical Abstracts TC): referenced by source and key, the test
    reads the same texts from HX_SHARED_DIR and checks a hash of each text;
  - every edge case of ../shared/specs/tokenizer.md section 12.2 (stored as
    hex of the UTF-8 bytes, invalid UTF-8 included: the reference sees those
    bytes decoded with errors="replace", which is helix's documented policy).

Tokenizers (spec 12.1): "uncased"/"json" = bert-base-uncased-tokenizer.json
with its stored truncation/padding cleared; "cased" = the same with the cased
vocab.txt and lowercase false; "uncased_nostrip" = uncased with
strip_accents false.

Output (xz-compressed JSON lines) tests/fixtures/tokenizer/expected.jsonl.xz:
  {"kind":"header", versions, "variants": [...]}
  {"kind":"record", "src", "key", "pair_key", "text_hash", "out": [...]}
      one entry of "out" per variant: hash of the whole encoding (see
      enc_hash) or the reference's error message;
  {"kind":"full", "tok", "a", "b", "max_len", "strategy", "pad_to",
      "pad_multiple", "ids", "type_ids", "attention_mask", "offsets"} or
      "error": full expected outputs for the edge cases and the first records
      of each source (readable diagnostics).

Usage: /work/venv/bin/python tests/oracle/make_tokenizer_fixtures.py [SHARED_DIR]
       ... --dump SRC KEY VARIANT_INDEX   prints one full reference encoding
"""
import csv
import io
import json
import lzma
import os
import platform
import sys
import tarfile

import numpy as np
import tokenizers
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(REPO, "..", "shared")
OUT = os.path.join(REPO, "tests", "fixtures", "tokenizer", "expected.jsonl.xz")

K = np.uint64(0x9E3779B97F4A7C15)
_pow = np.ones(1, dtype=np.uint64)


def powers(n):
    """K**i mod 2**64 for i < n (numpy uint64 arithmetic wraps)."""
    global _pow
    if len(_pow) < n:
        m = max(n, 2 * len(_pow))
        p = np.empty(m, dtype=np.uint64)
        p[0] = 1
        with np.errstate(over="ignore"):
            for i in range(1, m):
                p[i] = p[i - 1] * K
        _pow = p
    return _pow[:n]


def poly_hash(values):
    """sum((v_i + 1) * K**i) mod 2**64: any single changed value changes it."""
    v = np.asarray(values, dtype=np.uint64) + np.uint64(1)
    with np.errstate(over="ignore"):
        return int(np.sum(v * powers(len(v)), dtype=np.uint64))


def enc_hash(e):
    """Hash of [n, ids..., type_ids..., attention_mask..., starts..., ends...]."""
    n = len(e.ids)
    vals = [n] + list(e.ids) + list(e.type_ids) + list(e.attention_mask)
    vals += [o[0] for o in e.offsets] + [o[1] for o in e.offsets]
    return "%016x" % poly_hash(vals)


def text_hash(s):
    return "%016x" % poly_hash(np.frombuffer(s.encode("utf-8"), dtype=np.uint8))


# ---- tokenizers ----------------------------------------------------------

def load_tokenizers():
    path = os.path.join(SHARED, "data", "bert", "bert-base-uncased-tokenizer.json")
    with open(path, encoding="utf-8") as f:
        base = json.load(f)
    base["truncation"] = None
    base["padding"] = None
    toks = {}
    toks["uncased"] = Tokenizer.from_str(json.dumps(base))
    toks["json"] = toks["uncased"]
    cased = json.loads(json.dumps(base))
    with open(os.path.join(SHARED, "data", "bert", "bert-base-cased-vocab.txt"), "rb") as f:
        lines = f.read().decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    vocab = {}
    for i, w in enumerate(lines):
        vocab[w[:-1] if w.endswith("\r") else w] = i
    assert len(vocab) == 28996 and vocab["[UNK]"] == 100 and vocab["[SEP]"] == 102
    cased["model"]["vocab"] = vocab
    cased["normalizer"]["lowercase"] = False
    toks["cased"] = Tokenizer.from_str(json.dumps(cased))
    nostrip = json.loads(json.dumps(base))
    nostrip["normalizer"]["strip_accents"] = False
    toks["uncased_nostrip"] = Tokenizer.from_str(json.dumps(nostrip))
    for t in toks.values():
        t.no_truncation()
        t.no_padding()
    return toks


def encode(tok, a, b, max_len, strategy, pad_to=0, pad_multiple=0):
    """The reference encoding, or the text of the error it raises."""
    if max_len:
        tok.enable_truncation(max_len, strategy=strategy)
    else:
        tok.no_truncation()
    if pad_to or pad_multiple:
        tok.enable_padding(length=pad_to or None, pad_to_multiple_of=pad_multiple or None,
                           pad_id=0, pad_token="[PAD]")
    else:
        tok.no_padding()
    try:
        return tok.encode(a, b), None
    except Exception as ex:  # the reference's truncation errors
        return None, str(ex)


# ---- corpus ----------------------------------------------------------------

def read_corpus():
    """[(src, key, text, pair_text_key)] in a fixed order; pair texts come
    from pair_key (PubMedQA: question and contexts of the same record)."""
    d = os.path.join(SHARED, "data", "pubmed_abstracts")
    recs = []
    # Hallmarks of Cancer: text/<PMID>.txt, whole file (bytes decoded as UTF-8).
    with tarfile.open(os.path.join(d, "hallmarks_of_cancer.tar.xz")) as tf:
        members = sorted((m for m in tf.getmembers()
                          if m.isfile() and "/text/" in m.name and m.name.endswith(".txt")),
                         key=lambda m: m.name)
        hoc = [(m.name, tf.extractfile(m).read().decode("utf-8", errors="replace"))
               for m in members]
    for i, (name, text) in enumerate(hoc):
        recs.append(("hoc", name, text, hoc[(i + 1) % len(hoc)][0]))
    # PubMedQA: single = contexts + long answer joined by " "; pair =
    # (question, contexts joined by " ").
    with lzma.open(os.path.join(d, "pubmedqa_ori_pqal.json.xz"), "rb") as f:
        pq = json.loads(f.read().decode("utf-8"))
    for pmid in sorted(pq):
        r = pq[pmid]
        recs.append(("pubmedqa", pmid, " ".join(r["CONTEXTS"] + [r["LONG_ANSWER"]]),
                     "q:" + pmid))
    # Medical abstracts: medical_abstract column, key = data row number (1-based).
    with lzma.open(os.path.join(d, "medical_tc_test.csv.xz"), "rb") as f:
        rows = list(csv.reader(io.StringIO(f.read().decode("utf-8"), newline="")))
    assert rows[0] == ["condition_label", "medical_abstract"], rows[0]
    med = [(str(i), r[1]) for i, r in enumerate(rows[1:], 1)]
    for i, (key, text) in enumerate(med):
        recs.append(("medical", key, text, med[(i + 1) % len(med)][0]))
    texts = {(s, k): t for s, k, t, _ in recs}
    for pmid, r in pq.items():
        texts[("pubmedqa", "q:" + pmid)] = r["QUESTION"]
        texts[("pubmedqa", "c:" + pmid)] = " ".join(r["CONTEXTS"])
    return recs, texts


def pair_texts(src, key, pair_key, texts):
    if src == "pubmedqa":
        return texts[(src, "q:" + key)], texts[(src, "c:" + key)]
    return texts[(src, key)], texts[(src, pair_key)]


# (tokenizer, pair?, max_len (0 = none), strategy)
VARIANTS = [
    ("uncased", False, 0, "longest_first"),
    ("cased", False, 0, "longest_first"),
    ("json", False, 0, "longest_first"),
    ("uncased", False, 128, "longest_first"),
    ("cased", False, 64, "only_first"),
    ("uncased", True, 0, "longest_first"),
    ("uncased", True, 512, "longest_first"),
    ("uncased", True, 128, "longest_first"),
    ("uncased", True, 64, "longest_first"),
    ("uncased", True, 19, "longest_first"),
    ("uncased", True, 256, "only_first"),
    ("uncased", True, 64, "only_first"),
    ("uncased", True, 128, "only_second"),
    ("uncased", True, 512, "only_second"),
    ("cased", True, 0, "longest_first"),
    ("cased", True, 511, "longest_first"),
    ("cased", True, 128, "longest_first"),
    ("cased", True, 256, "only_second"),
    ("json", True, 512, "longest_first"),
]


# ---- edge cases (spec 12.2) -------------------------------------------------

def edge_cases():
    """[(a_bytes, b_bytes_or_None)]"""
    s = [
        "", " \t\n", "ΟΔΟΣ ΣΑΣ", "İstanbul", "Straße ﬁ ǅ K", "a\u0301", "\u00e1",
        "e\u0301\u0323", "\u1100\u1161\u11a8 \uac01 한국어", "\u212b", "a\u0000b", "a\ufffdb",
        "a\u200bb", "a\u00adb", "a\ufeffb", "a\u0085b", "a\u000bb", "a\u001fb", "a\u2028b",
        "a\u00a0b", "a\u3000b", "a\ue000b", "a\u0378b", "$ + < = > ^ | ~ ` a$b", "a…b", "a—b",
        "«a»", "a\u2e5db", "?!?", "野口里佳 Noguchi Rika", "a\u4dffb a\u4e00b a\u9fffb",
        "a\U0002b81fb a\U0002b820b a\U0002b91fb a\U0002b920b", "a\uf900b", "ひらがな カタカナ 한글",
        "👩\u200d⚕\ufe0f", "a🥱b", "👍🏽 ok", "x" * 99, "x" * 100, "x" * 101, "é" * 100,
        "e\u0301" * 60, "a" * 99 + "\u0301", "unaffableq", "unaffable", "[CLS]", "x[SEP]y",
        "[cls]", "[MASK][MASK]", "[UNK]", "a [CLS] b [cls]", "[CLS", "[[SEP]]",
        "Hello, world! How are you?", "U.S.A. e.g. 3.14 1,000 50% $5", "\u0130\u0049\u0131",
        "\u1e9e\u00df", "ǅ ǈ ǋ", "\u03a3\u03c3\u03c2", "Ⅻ ⓐ", "ＡＢＣ ａｂｃ １２３",
        "\u0410\u0411\u0412 абв", "שלום עולם", "مرحبا بالعالم", "नमस्ते", "ไทย",
        "\u0e01\u0e34\u0e4a", "a\u0303\u0304\u0305", "\u1734 \U000111c9 \u1885 \ua9bd \u166d",
        "a\U0001e944b", "a\U00013430b", "a\u08e3b", "\u0f73 \u0f75 \u0f81",
        "\U0001d15e\U0001d165\U0001d16d", "\u00e9\u0328", "A\u0328\u0301", "x" * 300,
        "café résumé naïve Ångström", "ＣＯＶＩＤ－１９", "BRCA1/2 p.Arg175His c.524G>A",
        "IL-6 TNF-α β-catenin", "10⁻³ mol·L⁻¹ ±5 °C", "a\tb\nc\rd", "   leading and trailing   ",
        "\u3000\u3000", "\U0010fffd\U000f0000", "\ufff0\ufff9\ufffb", "\u2060\u180e\u061c",
        "\U000e0001\U000e0041", "\u00ad\u00ad", "tab\ttab", "中文。标点，符号！",
        "ｶﾀｶﾅ", "ﬀ ﬃ", "\u0345 \u0399", "Ǆ ǅ ǆ", "ϴ ϑ", "\u2126 \u212a",
        # issue 14.14: words of combining marks only, where canonical reordering
        # swaps a mark that accent stripping deletes with one it keeps (Mc, or a
        # mark unassigned in the Unicode 8.0 categories but with a Unicode 9.0
        # combining class): the [UNK]'s offsets follow positions, not characters.
        "\u0f8d\u0363\ua9c0", "a \U0001e00b\u0324 b", "x \U0001e00e\u302e",
        "x \U000116b2\u1030\u08fd\u1baa", "\u0cc0\U0001e948\u073b x",
        "\u1a19\u05a8\ua953\u0339\u1a19\u05a8\ua953\u0339", "\u0301\u0f73\u0903",
        "\u0344\u0323\u0903", "a \u0f7a\u0f73 b",
    ]
    cases = [(x.encode("utf-8"), None) for x in s]
    # Invalid UTF-8 (helix policy: maximal subparts -> U+FFFD).
    bad = [b"a\xffb", b"a\xc3b", b"a\xe2\x82b", b"a\xed\xa0\x80b", b"\xf0\x9f\x98", b"a\xc0\xafb",
           b"\xf4\x90\x80\x80", b"\x80\x80x", b"a\xe2\x82\xacb\xe2", b"[CLS]\xff[SEP]"]
    cases += [(x, None) for x in bad]
    pairs = [("", ""), ("a", ""), ("", "a"), ("Hello world", "Good bye"), ("[CLS]", "[SEP]"),
             ("ΟΔΟΣ", "İstanbul"), ("野口", "a\u0301"), (" ", "\t")]
    cases += [(a.encode("utf-8"), b.encode("utf-8")) for a, b in pairs]
    cases += [(b"a\xffb", b"\xe2\x82")]
    return cases


def truncation_cases():
    """Exact pair lengths of spec 12.2: words 'a' and 'b' give one token each."""
    out = []
    for n1, n2 in [(10, 10), (10, 11), (11, 10), (300, 300), (5, 600), (600, 5), (3, 3),
                   (0, 5), (5, 0)]:
        a = " ".join(["a"] * n1).encode()
        b = " ".join(["b"] * n2).encode()
        for ml in (0, 1, 2, 3, 4, 5, 18, 19, 512):
            for strat in ("longest_first", "only_first", "only_second"):
                out.append((a, b, ml, strat))
        out.append((a, None, 3, "only_second"))
        out.append((a, None, 2, "longest_first"))
        out.append((a, None, 1, "longest_first"))
        out.append((a, None, 7, "only_first"))
    return out


def full_line(tokname, a, b, max_len, strategy, enc, err, pad_to=0, pad_multiple=0, ref=None):
    o = {"kind": "full", "tok": tokname}
    if ref:
        o.update(ref)
    else:
        o["a_hex"] = a.hex()
        if b is not None:
            o["b_hex"] = b.hex()
    o.update({"max_len": max_len, "strategy": strategy, "pad_to": pad_to,
              "pad_multiple": pad_multiple})
    if err is not None:
        o["error"] = err
    else:
        o["ids"] = enc.ids
        o["type_ids"] = enc.type_ids
        o["attention_mask"] = enc.attention_mask
        o["offsets"] = [list(x) for x in enc.offsets]
    return json.dumps(o, ensure_ascii=True, separators=(",", ":"))


def main():
    global SHARED
    args = sys.argv[1:]
    if args and args[0] != "--dump":
        SHARED = args.pop(0)
    toks = load_tokenizers()
    recs, texts = read_corpus()
    if args and args[0] == "--dump":
        src, key, vi = args[1], args[2], int(args[3])
        r = [x for x in recs if x[0] == src and x[1] == key][0]
        tokname, pair, ml, strat = VARIANTS[vi]
        a, b = pair_texts(src, key, r[3], texts) if pair else (r[2], None)
        enc, err = encode(toks[tokname], a, b, ml, strat)
        print(err or json.dumps({"tokens": enc.tokens, "ids": enc.ids, "offsets": enc.offsets}))
        return

    lines = [json.dumps({
        "kind": "header", "tokenizers": tokenizers.__version__,
        "python": platform.python_version(), "numpy": np.__version__,
        "hash": "sum((v_i+1)*0x9E3779B97F4A7C15**i) mod 2**64 over [n, ids, type_ids, "
                "attention_mask, starts, ends]; text_hash: same over the UTF-8 bytes",
        "variants": [{"tok": t, "pair": p, "max_len": m, "strategy": s}
                     for t, p, m, s in VARIANTS]}, separators=(",", ":"))]

    # Edge cases, each with every tokenizer, untruncated, and a few options.
    n_full = 0
    for a, b in edge_cases():
        sa = a.decode("utf-8", errors="replace")
        sb = b.decode("utf-8", errors="replace") if b is not None else None
        for tokname in ("uncased", "cased", "uncased_nostrip"):
            enc, err = encode(toks[tokname], sa, sb, 0, "longest_first")
            lines.append(full_line(tokname, a, b, 0, "longest_first", enc, err))
            n_full += 1
        for pad_to, mult in ((16, 0), (0, 8), (5, 8)):
            enc, err = encode(toks["uncased"], sa, sb, 0, "longest_first", pad_to, mult)
            lines.append(full_line("uncased", a, b, 0, "longest_first", enc, err, pad_to, mult))
            n_full += 1
        enc, err = encode(toks["uncased"], sa, sb, 6, "longest_first", 8, 0)
        lines.append(full_line("uncased", a, b, 6, "longest_first", enc, err, 8, 0))
        n_full += 1
    for a, b, ml, strat in truncation_cases():
        sa, sb = a.decode(), (b.decode() if b is not None else None)
        enc, err = encode(toks["uncased"], sa, sb, ml, strat)
        lines.append(full_line("uncased", a, b, ml, strat, enc, err))
        n_full += 1

    # Full outputs for the first records of each source.
    seen = {}
    for src, key, text, pair_key in recs:
        if seen.get(src, 0) >= 10:
            continue
        seen[src] = seen.get(src, 0) + 1
        for tokname in ("uncased", "cased"):
            enc, err = encode(toks[tokname], text, None, 0, "longest_first")
            lines.append(full_line(tokname, None, None, 0, "longest_first", enc, err,
                                   ref={"src": src, "key": key}))
            n_full += 1

    # Every record, every variant, as hashes.
    n_enc = 0
    for i, (src, key, text, pair_key) in enumerate(recs):
        out = []
        for tokname, pair, ml, strat in VARIANTS:
            a, b = pair_texts(src, key, pair_key, texts) if pair else (text, None)
            enc, err = encode(toks[tokname], a, b, ml, strat)
            out.append(err if err is not None else enc_hash(enc))
            n_enc += 1
        rec = {"kind": "record", "src": src, "key": key, "pair_key": pair_key,
               "text_hash": text_hash(text), "out": out}
        if src == "pubmedqa":
            rec["q_hash"] = text_hash(texts[(src, "q:" + key)])
            rec["c_hash"] = text_hash(texts[(src, "c:" + key)])
        lines.append(json.dumps(rec, ensure_ascii=True, separators=(",", ":")))
        if i % 500 == 0:
            print("record %d/%d" % (i, len(recs)), file=sys.stderr)

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with lzma.open(OUT, "wb", preset=9 | lzma.PRESET_EXTREME) as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8"))
    print("wrote %s: %d records x %d variants, %d full cases, %d bytes"
          % (OUT, len(recs), len(VARIANTS), n_full, os.path.getsize(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
