"""helix vs ONNX Runtime vs PyTorch on BERT-base, same weights, same threads,
same inputs, in one run; prints times and ratios (helix / peer: < 1 means
helix is faster).

The model is a random-init BERT-base classifier (2 labels) written by the
plain-PyTorch BERT of tests/oracle/bert_torch.py with Hugging Face key names,
saved as a Hugging Face folder (config.json, model.safetensors, vocab.txt)
under --work (default /tmp/helix_bert_peers, never committed), converted with
`helix convert bert`, and exported to ONNX (opset 14, dynamic batch and
length) for ONNX Runtime.

Shapes: sequence 128 and 512, batch 1, with 1 and 2 threads (synthetic ids
from the formula of bench/bench_bert.c); and real PubMed abstracts
(../shared/data/pubmed_abstracts, tokenized by Hugging Face tokenizers with
truncation to 512) in batches of 16: helix packs each batch without padding,
ONNX Runtime and PyTorch get it padded to its longest member with an
attention mask (as a Python serving stack does).

Times are medians of --runs timed runs after a warm-up. The machine may be
shared: run it more than once and compare medians.

usage: /work/venv/bin/python bench/bert_peers.py --helix BUILD/helix
           [--runs 10] [--records 32] [--threads 1,2] [--skip-mixed]"""
import argparse
import json
import lzma
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
from bert_torch import BertForSequenceClassification, Cfg, random_init  # noqa: E402

VOCAB = os.path.join(SHARED, "bert", "bert-base-uncased-vocab.txt")


def make_model(work):
    cfg = Cfg(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
              intermediate_size=3072, num_labels=2)
    model = random_init(BertForSequenceClassification(cfg), seed=5).eval()
    hf = os.path.join(work, "hf")
    hlx = os.path.join(work, "bert_base.hlx")
    onnx_path = os.path.join(work, "bert_base.onnx")
    if not os.path.exists(hlx) or not os.path.exists(onnx_path):
        from safetensors.torch import save_file
        os.makedirs(hf, exist_ok=True)
        with open(os.path.join(hf, "config.json"), "w") as f:
            json.dump(cfg.hf_config(), f)
        save_file({k: v.contiguous() for k, v in model.state_dict().items()},
                  os.path.join(hf, "model.safetensors"))
        shutil.copy(VOCAB, os.path.join(hf, "vocab.txt"))
    return model, hf, hlx, onnx_path


class Logits(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, ids, types, mask):
        return self.m(ids, types, mask)[0]


def export_onnx(model, path):
    if os.path.exists(path):
        return
    ids = torch.ones(1, 16, dtype=torch.long)
    torch.onnx.export(Logits(model), (ids, torch.zeros_like(ids), torch.ones_like(ids)), path,
                      input_names=["input_ids", "token_type_ids", "attention_mask"],
                      output_names=["logits"], opset_version=14,
                      dynamic_axes={n: {0: "batch", 1: "seq"} for n in
                                    ["input_ids", "token_type_ids", "attention_mask"]})


def synthetic(batch, S, vocab=30522):  # as bench/bench_bert.c
    ids = np.zeros((batch, S), dtype=np.int64)
    for s in range(batch):
        for i in range(S):
            ids[s, i] = 1000 + (7919 * (s * S + i)) % (vocab - 1000)
        ids[s, 0] = 101
        if S > 1:
            ids[s, S - 1] = 102
    return [list(r) for r in ids]


def abstracts(n):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(SHARED, "bert", "bert-base-uncased-tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=512)
    with lzma.open(os.path.join(SHARED, "pubmed_abstracts", "pubmedqa_ori_pqal.json.xz")) as f:
        data = json.load(f)
    out = []
    for pmid in sorted(data)[:n]:
        e = data[pmid]
        out.append(tok.encode(" ".join(e["CONTEXTS"]) + " " + e["LONG_ANSWER"]).ids)
    return out


def padded_batches(seqs, batch):
    for i in range(0, len(seqs), batch):
        chunk = seqs[i:i + batch]
        T = max(len(s) for s in chunk)
        ids = np.zeros((len(chunk), T), dtype=np.int64)
        mask = np.zeros((len(chunk), T), dtype=np.int64)
        for r, s in enumerate(chunk):
            ids[r, :len(s)] = s
            mask[r, :len(s)] = 1
        yield ids, np.zeros_like(ids), mask


def timed(fn, runs, warmup=1):
    for _ in range(warmup):
        fn()
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        t.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(t)


def run_ort(path, threads, batches, runs):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])

    def go():
        for ids, ty, mask in batches:
            sess.run(None, {"input_ids": ids, "token_type_ids": ty, "attention_mask": mask})
    return timed(go, runs)


def run_torch(model, threads, batches, runs):
    torch.set_num_threads(threads)
    tb = [tuple(torch.from_numpy(a) for a in b) for b in batches]

    def go():
        with torch.no_grad():
            for ids, ty, mask in tb:
                model(ids, ty, mask)
    return timed(go, runs)


def run_helix(helix, hlx, threads, runs, seq=None, batch=1, ids_file=None):
    cmd = [helix, "bench", "bert", "-m", hlx, "--threads", str(threads), "--runs", str(max(runs, 10)),
           "--warmup", "1", "--batch", str(batch), "--json"]
    cmd += ["--seq", str(seq)] if seq else ["--ids", ids_file]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--helix", required=True)
    ap.add_argument("--work", default="/tmp/helix_bert_peers")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--records", type=int, default=32)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--seqs", default="128,512")
    ap.add_argument("--skip-mixed", action="store_true")
    ap.add_argument("--skip-fixed", action="store_true", help="only the abstracts run")
    ap.add_argument("--no-torch", action="store_true", help="ONNX Runtime only")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    model, hf, hlx, onnx_path = make_model(a.work)
    if not os.path.exists(hlx):
        subprocess.run([a.helix, "convert", "bert", hf, "-o", hlx], check=True)
    export_onnx(model, onnx_path)
    print("model: random-init BERT-base, %s (%.0f MB)" % (hlx, os.path.getsize(hlx) / 2**20))
    print("%-28s %8s %10s %10s %10s %9s %9s" % ("shape", "threads", "helix ms", "ORT ms",
                                              "torch ms", "h/ORT", "h/torch"))
    rows = []
    for th in [] if a.skip_fixed else [int(t) for t in a.threads.split(",")]:
        for S in [int(s) for s in a.seqs.split(",")]:
            batches = list(padded_batches(synthetic(1, S), 1))
            h = run_helix(a.helix, hlx, th, a.runs, seq=S)
            o = run_ort(onnx_path, th, batches, a.runs)
            p = float("nan") if a.no_torch else run_torch(model, th, batches, a.runs)
            rows.append(("seq %d batch 1" % S, th, h["median_ms"], o, p, h["peak_rss_mb"]))
            print("%-28s %8d %10.1f %10.1f %10.1f %9.2f %9.2f   (helix peak RSS %.0f MB, file %.0f MB)"
                  % (rows[-1][0], th, h["median_ms"], o, p, h["median_ms"] / o, h["median_ms"] / p,
                     h["peak_rss_mb"], h["file_mb"]))
            sys.stdout.flush()
    if not a.skip_mixed:
        seqs = abstracts(a.records)
        ids_file = os.path.join(a.work, "abstracts_ids.jsonl")
        with open(ids_file, "w") as f:
            for s in seqs:
                f.write(json.dumps({"input_ids": s}) + "\n")
        batches = list(padded_batches(seqs, 16))
        padded = sum(b[0].size for b in batches)
        th = max(int(t) for t in a.threads.split(","))
        h = run_helix(a.helix, hlx, th, a.runs, batch=16, ids_file=ids_file)
        print("abstracts: helix %.1f ms per pass (%d threads)" % (h["median_ms"], th))
        sys.stdout.flush()
        o = run_ort(onnx_path, th, batches, a.runs)
        p = float("nan") if a.no_torch else run_torch(model, th, batches, a.runs)
        n = len(seqs)
        print("abstracts: %d records, %d tokens (%d padded), batches of 16, %d threads" %
              (n, sum(len(s) for s in seqs), padded, th))
        print("  throughput records/s: helix %.2f, ORT %.2f, torch %.2f; helix/ORT %.2fx, helix/torch %.2fx"
              % (n / h["median_ms"] * 1e3, n / o * 1e3, n / p * 1e3, o / h["median_ms"],
                 p / h["median_ms"]))
        print("  helix peak RSS %.0f MB (file %.0f MB)" % (h["peak_rss_mb"], h["file_mb"]))


if __name__ == "__main__":
    main()
