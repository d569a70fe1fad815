"""Fine-tunes a masked-LM pre-trained small BERT (pretrain_mlm.py) on the
training split of the abstract-triage task and saves it as a Hugging Face
directory (config.json, model.safetensors, vocab.txt, tokenizer_config.json)
for `helix convert bert`. Also writes the model's P(positive) on every split
(bert/NAME.probs.jsonl), the figures the C pipeline is later checked against.
Usage: finetune_bert.py --pretrained mlm_l2_h64 --seed 1 --max-len 256 NAME
"""
import argparse
import json
import random
import time

import torch
import torch.nn.functional as F

from bert_model import BertForSequenceClassification, load_tokenizer, pad_batch, save_hf_dir
from common import TOKENIZER_JSON, VOCAB_TXT, out_path, read_jsonl


def predict(model, seqs, batch=64):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(seqs), batch):
            ids, attn = pad_batch(seqs[i:i + batch])
            out += F.softmax(model(ids, attn), dim=-1)[:, 1].tolist()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--pretrained", required=True)
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    random.seed(a.seed)

    ck = torch.load(out_path("bert", a.pretrained + ".pt"))
    cfg = dict(ck["config"])
    model = BertForSequenceClassification(cfg)
    missing, unexpected = model.load_state_dict(
        {k: v for k, v in ck["state_dict"].items() if k.startswith("bert.")}, strict=False)
    assert set(missing) == {"classifier.weight", "classifier.bias"}, missing
    torch.nn.init.normal_(model.classifier.weight, std=0.02)
    torch.nn.init.zeros_(model.classifier.bias)

    tok = load_tokenizer(TOKENIZER_JSON, a.max_len)
    data = {s: read_jsonl(out_path("abstracts", "hoc_%s.jsonl" % s)) for s in ("train", "dev", "test")}
    seqs = {s: [e.ids for e in tok.encode_batch([r["text"] for r in rows])] for s, rows in data.items()}
    y = torch.tensor([r["label"] for r in data["train"]])
    # the positive class is ~16% of the data: weight it to balance the loss
    w = torch.tensor([1.0, float((y == 0).sum()) / float((y == 1).sum())])
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    n = len(seqs["train"])
    steps = a.epochs * ((n + a.batch - 1) // a.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))
    t0 = time.time()
    for ep in range(a.epochs):
        model.train()
        idx = list(range(n))
        random.shuffle(idx)
        total = 0.0
        for i in range(0, n, a.batch):
            b = idx[i:i + a.batch]
            ids, attn = pad_batch([seqs["train"][j] for j in b])
            loss = F.cross_entropy(model(ids, attn), y[b], weight=w)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item() * len(b)
        p = predict(model, seqs["dev"])
        acc = sum((pi >= 0.5) == bool(r["label"]) for pi, r in zip(p, data["dev"])) / len(p)
        print("epoch %d loss %.4f dev acc %.3f (%.0fs)" % (ep + 1, total / n, acc, time.time() - t0), flush=True)

    cfg["architectures"] = ["BertForSequenceClassification"]
    save_hf_dir(model, cfg, out_path("bert", a.name, "config.json").rsplit("/", 1)[0], VOCAB_TXT, a.max_len)
    with open(out_path("bert", a.name + ".probs.jsonl"), "w") as f:
        for s in ("train", "dev", "test"):
            for r, p in zip(data[s], predict(model, seqs[s])):
                f.write(json.dumps({"pmid": r["pmid"], "split": s, "p": p}) + "\n")


if __name__ == "__main__":
    main()
