"""Writes tests/fixtures/bert/{tiny,medium}/: a random-init BERT classifier
(plain PyTorch, Hugging Face key names: tests/oracle/bert_torch.py), real
PubMed abstracts tokenized by Hugging Face `tokenizers`, and PyTorch's
logits, CLS / mean / pooler embeddings for them.

Cases: single sequences of 1, 2, 127, 128, 129, 511 and 512 tokens; a batch
of sentence pairs (question + abstract, token types 0/1); and a batch of mixed
lengths that PyTorch runs PADDED with an attention mask (helix packs it
without padding, so equal logits show the padding is handled).

Word-embedding rows of ids no case uses are zeroed in the model and not
stored (the .bin keeps only used rows), which keeps the fixtures small.

Files (little-endian):
  config.json   the .hlx metadata object without the tokenizer
  weights.bin   "HXBERTW1", u32 n, then per tensor: u32 name_len, name,
                u32 rank, u32 dims[rank], u32 n_rows (0xffffffff = dense),
                u32 rows[n_rows] if sparse, f32 data (dense: all; sparse:
                n_rows x dims[1], the listed rows)
  cli.jsonl     input lines for `helix classify-text --max-len 128 --pair-field
                text_b` tests (tiny model): real abstracts, a bad line, a record
                without the pair field
  cli_expected.json  per line of cli.jsonl: PyTorch's logits (tokenized by
                Hugging Face with longest-first truncation to 128), or null
  cases.bin     "HXBERTC1", u32 n, then per case: u32 name_len, name,
                u32 n_seqs, u32 lengths[n_seqs], i32 ids[T], i32 types[T],
                f32 logits[n_seqs x labels], f32 cls[n_seqs x H],
                f32 mean[n_seqs x H], f32 pooler[n_seqs x H]

Run: /work/venv/bin/python tests/oracle/make_bert_fixtures.py  (torch 1.13,
tokenizers 0.23.3; see requirements.txt)."""
import json
import lzma
import os
import struct
import sys

import torch
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_torch import BertForSequenceClassification, Cfg, random_init  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
OUT = os.path.join(ROOT, "tests", "fixtures", "bert")

CONFIGS = {
    # Odd sizes on purpose: head_dim 12, intermediate 53.
    "tiny": dict(hidden_size=36, num_hidden_layers=2, num_attention_heads=3,
                 intermediate_size=53, layer_norm_eps=1e-12, num_labels=3, seed=1),
    # BERT-base's head_dim (64), 3 layers.
    "medium": dict(hidden_size=128, num_hidden_layers=3, num_attention_heads=2,
                   intermediate_size=512, layer_norm_eps=1e-5, num_labels=5, seed=2),
}


def load_abstracts():
    with lzma.open(os.path.join(SHARED, "pubmed_abstracts", "pubmedqa_ori_pqal.json.xz")) as f:
        data = json.load(f)
    out = []
    for pmid in sorted(data):
        e = data[pmid]
        out.append((e["QUESTION"], " ".join(e["CONTEXTS"]) + " " + e["LONG_ANSWER"]))
    return out


def make_cases(tok, abstracts):
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")

    def stream(first, min_tokens):
        ids, i = [], first
        while len(ids) < min_tokens:
            ids += tok.encode(abstracts[i][1], add_special_tokens=False).ids
            i += 1
        return ids

    def single(text_ids, n):  # [CLS] text [SEP] truncated to n tokens
        if n == 1:
            return [cls]
        return [cls] + text_ids[:n - 2] + [sep]

    cases = []
    long_a, long_b = stream(0, 520), stream(10, 520)
    for n, src in [(1, long_a), (2, long_a), (127, long_b), (128, long_a), (129, long_b),
                   (511, long_a), (512, long_b)]:
        cases.append(("len%d" % n, [single(src, n)], [[0] * n], False))
    # Sentence pairs: question + abstract, truncated longest-first like HF.
    pairs = []
    for k, maxlen in [(20, 64), (21, 100), (22, 150)]:
        tok.enable_truncation(max_length=maxlen, strategy="longest_first")
        e = tok.encode(abstracts[k][0], abstracts[k][1])
        tok.no_truncation()
        pairs.append((e.ids, e.type_ids))
    cases.append(("pairs", [p[0] for p in pairs], [p[1] for p in pairs], False))
    # Mixed lengths, run padded in PyTorch.
    mixed = []
    for k, n in [(30, 45), (31, 1), (32, 128), (33, 300), (34, 77), (35, 2), (36, 512)]:
        mixed.append(single(stream(k, 520), n))
    cases.append(("mixed_padded", mixed, [[0] * len(m) for m in mixed], True))
    return cases


CLI_MAX_LEN = 128


def make_cli_lines(abstracts):
    """JSONL records for the classify-text test: (line, (text, text_b) or None)."""
    out = []
    for k in (40, 41, 42, 43, 44):
        q, a = abstracts[k]
        text_b = a[:400] if k != 42 else a  # 42: long, truncated longest-first
        out.append((json.dumps({"text": q, "text_b": text_b}), (q, text_b)))
    out.insert(2, ('{"text": "no pair field here"}', None))
    out.insert(4, ("this line is not JSON", None))
    return out


def cli_ids(tok, pair):
    tok.enable_truncation(max_length=CLI_MAX_LEN, strategy="longest_first")
    e = tok.encode(pair[0], pair[1])
    tok.no_truncation()
    return e.ids, e.type_ids


def run_case(model, seqs, types, padded):
    outs = {"logits": [], "cls": [], "mean": [], "pooler": []}
    groups = [list(range(len(seqs)))] if padded else [[i] for i in range(len(seqs))]
    for g in groups:
        T = max(len(seqs[i]) for i in g)
        ids = torch.zeros(len(g), T, dtype=torch.long)
        ty = torch.zeros(len(g), T, dtype=torch.long)
        mask = torch.zeros(len(g), T, dtype=torch.long)
        for r, i in enumerate(g):
            n = len(seqs[i])
            ids[r, :n] = torch.tensor(seqs[i])
            ty[r, :n] = torch.tensor(types[i])
            mask[r, :n] = 1
        with torch.no_grad():
            logits, h, pooled = model(ids, ty, mask)
        m = mask.unsqueeze(-1).float()
        mean = (h * m).sum(1) / m.sum(1)
        for r in range(len(g)):
            outs["logits"].append(logits[r])
            outs["cls"].append(h[r, 0])
            outs["mean"].append(mean[r])
            outs["pooler"].append(pooled[r])
    return {k: torch.stack(v) for k, v in outs.items()}


def f32(t):
    return t.detach().contiguous().float().numpy().astype("<f4").tobytes()


def write_weights(path, model, used_rows):
    sd = model.state_dict()
    with open(path, "wb") as f:
        f.write(b"HXBERTW1")
        f.write(struct.pack("<I", len(sd)))
        for name, t in sd.items():
            nb = name.encode()
            f.write(struct.pack("<I", len(nb)) + nb)
            f.write(struct.pack("<I", t.dim()) + struct.pack("<%dI" % t.dim(), *t.shape))
            if name == "bert.embeddings.word_embeddings.weight":
                f.write(struct.pack("<I", len(used_rows)))
                f.write(struct.pack("<%dI" % len(used_rows), *used_rows))
                f.write(f32(t[torch.tensor(used_rows)]))
            else:
                f.write(struct.pack("<I", 0xFFFFFFFF))
                f.write(f32(t))


def main():
    torch.set_num_threads(1)
    tok = Tokenizer.from_file(os.path.join(SHARED, "bert", "bert-base-uncased-tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    abstracts = load_abstracts()
    cases = make_cases(tok, abstracts)
    cli = make_cli_lines(abstracts)
    cli_enc = [cli_ids(tok, p) if p else None for _, p in cli]
    used = sorted({i for _, seqs, _, _ in cases for s in seqs for i in s} |
                  {i for e in cli_enc if e for i in e[0]})
    vocab = tok.get_vocab_size()
    for cname, c in CONFIGS.items():
        cfg = Cfg(vocab_size=vocab, hidden_size=c["hidden_size"],
                  num_hidden_layers=c["num_hidden_layers"],
                  num_attention_heads=c["num_attention_heads"],
                  intermediate_size=c["intermediate_size"], layer_norm_eps=c["layer_norm_eps"],
                  num_labels=c["num_labels"])
        model = random_init(BertForSequenceClassification(cfg), c["seed"]).eval()
        with torch.no_grad():  # unused vocabulary rows are zero (and not stored)
            w = model.bert.embeddings.word_embeddings.weight
            keep = torch.zeros(vocab, dtype=torch.bool)
            keep[torch.tensor(used)] = True
            w[~keep] = 0.0
        d = os.path.join(OUT, cname)
        os.makedirs(d, exist_ok=True)
        meta = {"arch": "bert", "name": "helix-test-" + cname,
                "source": "tests/oracle/make_bert_fixtures.py (random init, seed %d)" % c["seed"],
                "labels": ["label_%d" % i for i in range(c["num_labels"])],
                "bert": {"vocab_size": vocab, "hidden_size": cfg.hidden_size,
                         "num_hidden_layers": cfg.num_hidden_layers,
                         "num_attention_heads": cfg.num_attention_heads,
                         "intermediate_size": cfg.intermediate_size, "hidden_act": "gelu",
                         "max_position_embeddings": cfg.max_position_embeddings,
                         "type_vocab_size": cfg.type_vocab_size,
                         "layer_norm_eps": cfg.layer_norm_eps, "has_pooler": True,
                         "num_labels": cfg.num_labels}}
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(meta, f, indent=1)
            f.write("\n")
        write_weights(os.path.join(d, "weights.bin"), model, used)
        with open(os.path.join(d, "cases.bin"), "wb") as f:
            f.write(b"HXBERTC1" + struct.pack("<I", len(cases)))
            for name, seqs, types, padded in cases:
                r = run_case(model, seqs, types, padded)
                nb = name.encode()
                f.write(struct.pack("<I", len(nb)) + nb + struct.pack("<I", len(seqs)))
                f.write(struct.pack("<%dI" % len(seqs), *[len(s) for s in seqs]))
                flat_ids = [i for s in seqs for i in s]
                flat_ty = [i for s in types for i in s]
                f.write(struct.pack("<%di" % len(flat_ids), *flat_ids))
                f.write(struct.pack("<%di" % len(flat_ty), *flat_ty))
                for k in ("logits", "cls", "mean", "pooler"):
                    f.write(f32(r[k]))
                print(cname, name, [len(s) for s in seqs], "logit scale %.3f" % r["logits"].abs().max())
        if cname == "tiny":
            with open(os.path.join(d, "cli.jsonl"), "w") as f:
                for line, _ in cli:
                    f.write(line + "\n")
            expected = []
            for e in cli_enc:
                if e is None:
                    expected.append(None)
                    continue
                r = run_case(model, [e[0]], [e[1]], False)
                expected.append([float(v) for v in r["logits"][0]])
            with open(os.path.join(d, "cli_expected.json"), "w") as f:
                json.dump({"max_len": CLI_MAX_LEN, "logits": expected,
                           "truncated": sum(1 for e, (_, p) in zip(cli_enc, cli)
                                            if e and len(tok.encode(p[0], p[1]).ids) > CLI_MAX_LEN)},
                          f, indent=1)
                f.write("\n")
    print("vocabulary rows used:", len(used))


if __name__ == "__main__":
    main()
