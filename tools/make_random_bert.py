#!/usr/bin/env python3
"""Writes a Hugging Face BERT folder (config.json, vocab.txt, model.safetensors) of BERT-base
size with untrained, deterministic weights, in pure Python (no torch/numpy), for measuring
throughput and memory at the real model size (tools/bench_cluster.sh). The outputs are
meaningless; only the shapes and the cost are real.

usage: tools/make_random_bert.py OUT_DIR VOCAB.txt [--layers 12 --hidden 768 --heads 12 --inter 3072]
"""
import argparse
import json
import os
import random
import shutil
import struct

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("vocab")
ap.add_argument("--layers", type=int, default=12)
ap.add_argument("--hidden", type=int, default=768)
ap.add_argument("--heads", type=int, default=12)
ap.add_argument("--inter", type=int, default=3072)
ap.add_argument("--positions", type=int, default=512)
a = ap.parse_args()

os.makedirs(a.out, exist_ok=True)
shutil.copyfile(a.vocab, os.path.join(a.out, "vocab.txt"))
V = sum(1 for _ in open(a.vocab, encoding="utf-8"))
H, I, L = a.hidden, a.inter, a.layers
labels = ["irrelevant", "relevant"]
cfg = {"vocab_size": V, "hidden_size": H, "num_hidden_layers": L, "num_attention_heads": a.heads,
       "intermediate_size": I, "hidden_act": "gelu", "max_position_embeddings": a.positions,
       "type_vocab_size": 2, "layer_norm_eps": 1e-12, "model_type": "bert", "pad_token_id": 0,
       "architectures": ["BertForSequenceClassification"],
       "id2label": {str(i): l for i, l in enumerate(labels)},
       "label2id": {l: i for i, l in enumerate(labels)}}
with open(os.path.join(a.out, "config.json"), "w") as f:
    json.dump(cfg, f, indent=1)

shapes = {"bert.embeddings.word_embeddings.weight": (V, H),
          "bert.embeddings.position_embeddings.weight": (a.positions, H),
          "bert.embeddings.token_type_embeddings.weight": (2, H),
          "bert.embeddings.LayerNorm.weight": (H,), "bert.embeddings.LayerNorm.bias": (H,)}
for i in range(L):
    p = f"bert.encoder.layer.{i}."
    for n in ("query", "key", "value"):
        shapes[p + f"attention.self.{n}.weight"] = (H, H)
        shapes[p + f"attention.self.{n}.bias"] = (H,)
    shapes[p + "attention.output.dense.weight"] = (H, H)
    shapes[p + "attention.output.dense.bias"] = (H,)
    shapes[p + "attention.output.LayerNorm.weight"] = (H,)
    shapes[p + "attention.output.LayerNorm.bias"] = (H,)
    shapes[p + "intermediate.dense.weight"] = (I, H)
    shapes[p + "intermediate.dense.bias"] = (I,)
    shapes[p + "output.dense.weight"] = (H, I)
    shapes[p + "output.dense.bias"] = (H,)
    shapes[p + "output.LayerNorm.weight"] = (H,)
    shapes[p + "output.LayerNorm.bias"] = (H,)
shapes["bert.pooler.dense.weight"] = (H, H)
shapes["bert.pooler.dense.bias"] = (H,)
shapes["classifier.weight"] = (len(labels), H)
shapes["classifier.bias"] = (len(labels),)

rng = random.Random(18)
# One block of small normal values, repeated: cheap to write, finite, not all equal.
block = struct.pack("<4093f", *(rng.gauss(0, 0.02) for _ in range(4093)))
ones = struct.pack("<f", 1.0)

header, off = {}, 0
for name, shp in shapes.items():
    n = 1
    for d in shp:
        n *= d
    header[name] = {"dtype": "F32", "shape": list(shp), "data_offsets": [off, off + 4 * n]}
    off += 4 * n
hj = json.dumps(header, separators=(",", ":")).encode()
hj += b" " * (-len(hj) % 8)
with open(os.path.join(a.out, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(hj)))
    f.write(hj)
    for name, shp in shapes.items():
        nbytes = header[name]["data_offsets"][1] - header[name]["data_offsets"][0]
        if name.endswith("LayerNorm.weight"):
            f.write(ones * (nbytes // 4))
            continue
        full, rest = divmod(nbytes, len(block))
        for _ in range(full):
            f.write(block)
        f.write(block[:rest])
print(f"{a.out}: {len(shapes)} tensors, {off / 1e6:.0f} MB, vocab {V}")
