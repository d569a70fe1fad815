"""Masked-LM pre-training of a small BERT on every abstract in
/work/shared/data (abstracts/mlm_corpus.jsonl from prepare_abstracts.py).

BERT's recipe: 15% of the non-special tokens are chosen; of those 80% become
[MASK], 10% a random token, 10% stay; the loss is cross-entropy on the chosen
ones only (the decoder is tied to the word embeddings).
Usage: pretrain_mlm.py [--layers 2 --hidden 64 --heads 2 --intermediate 256
                        --max-len 256 --epochs 4 --seed 1] OUT_NAME
"""
import argparse
import random
import time

import torch
import torch.nn.functional as F

from bert_model import BertForMaskedLM, init_weights, load_tokenizer, pad_batch, small_config
from common import TOKENIZER_JSON, out_path, read_jsonl

MASK_ID, CLS_ID, SEP_ID, PAD_ID = 103, 101, 102, 0
FIRST_REAL_TOKEN = 999  # ids below are [PAD], [unusedN], [UNK], [CLS], [SEP], [MASK]


def mask_batch(ids, attn, gen):
    special = (ids == CLS_ID) | (ids == SEP_ID) | (attn == 0)
    chosen = (torch.rand(ids.shape, generator=gen) < 0.15) & ~special
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))
    u = torch.rand(ids.shape, generator=gen)
    out = ids.clone()
    out[chosen & (u < 0.8)] = MASK_ID
    rnd = chosen & (u >= 0.8) & (u < 0.9)
    out[rnd] = torch.randint(FIRST_REAL_TOKEN, 30522, ids.shape, generator=gen)[rnd]
    return out, labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--intermediate", type=int, default=128)
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N abstracts (smoke test)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    random.seed(a.seed)

    cfg = small_config(a.hidden, a.layers, a.heads, a.intermediate, a.max_len)
    tok = load_tokenizer(TOKENIZER_JSON, a.max_len)
    texts = [r["text"] for r in read_jsonl(out_path("abstracts", "mlm_corpus.jsonl"))]
    if a.limit:
        texts = texts[:a.limit]
    seqs = [e.ids for e in tok.encode_batch(texts)]
    model = BertForMaskedLM(cfg)
    init_weights(model)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    steps = a.epochs * ((len(seqs) + a.batch - 1) // a.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, (steps - s) / steps))
    gen = torch.Generator().manual_seed(a.seed)
    # batches of similar length waste less padding; the order is seeded
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    batches = [order[i:i + a.batch] for i in range(0, len(order), a.batch)]
    t0, step = time.time(), 0
    model.train()
    for ep in range(a.epochs):
        random.shuffle(batches)
        total, n = 0.0, 0
        for b in batches:
            ids, attn = pad_batch([seqs[i] for i in b])
            inp, labels = mask_batch(ids, attn, gen)
            h = model.bert(inp, attn)
            sel = labels != -100
            logits = model.cls.predictions(h[sel])
            loss = F.cross_entropy(logits, labels[sel])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item()
            n += 1
            step += 1
            if step % 50 == 0:
                print("step %d/%d loss %.3f (%.0fs)" % (step, steps, total / n, time.time() - t0), flush=True)
        print("epoch %d mean loss %.3f (%.0fs)" % (ep + 1, total / max(n, 1), time.time() - t0), flush=True)
    torch.save({"config": cfg, "state_dict": model.state_dict()}, out_path("bert", a.name + ".pt"))


if __name__ == "__main__":
    main()
