#!/usr/bin/env python3
"""Writes a BERT-base-sized Hugging Face checkpoint with random weights
(BertForSequenceClassification key names, 3 labels, ~440 MB) into OUT_DIR,
for bench/hlx_open_bench.sh. Not a trained model: only its size matters.

usage: make_bert_base_checkpoint.py OUT_DIR VOCAB_TXT
"""
import json
import os
import shutil
import sys

import torch
from safetensors.torch import save_file


def main(out, vocab):
    os.makedirs(out, exist_ok=True)
    H, I, L, V, P = 768, 3072, 12, 30522, 512
    g = torch.Generator().manual_seed(0)

    def r(*s):
        return torch.randn(*s, generator=g) * 0.02

    sd = {"bert.embeddings.word_embeddings.weight": r(V, H),
          "bert.embeddings.position_embeddings.weight": r(P, H),
          "bert.embeddings.token_type_embeddings.weight": r(2, H),
          "bert.embeddings.LayerNorm.weight": torch.ones(H),
          "bert.embeddings.LayerNorm.bias": torch.zeros(H)}
    for i in range(L):
        p = f"bert.encoder.layer.{i}."
        for n in ("attention.self.query", "attention.self.key", "attention.self.value",
                  "attention.output.dense"):
            sd[p + n + ".weight"], sd[p + n + ".bias"] = r(H, H), r(H)
        sd[p + "intermediate.dense.weight"], sd[p + "intermediate.dense.bias"] = r(I, H), r(I)
        sd[p + "output.dense.weight"], sd[p + "output.dense.bias"] = r(H, I), r(H)
        for n in ("attention.output.LayerNorm", "output.LayerNorm"):
            sd[p + n + ".weight"], sd[p + n + ".bias"] = torch.ones(H), torch.zeros(H)
    sd["bert.pooler.dense.weight"], sd["bert.pooler.dense.bias"] = r(H, H), r(H)
    sd["classifier.weight"], sd["classifier.bias"] = r(3, H), r(3)
    save_file(sd, os.path.join(out, "model.safetensors"))
    cfg = dict(model_type="bert", architectures=["BertForSequenceClassification"], vocab_size=V,
               hidden_size=H, num_hidden_layers=L, num_attention_heads=12, intermediate_size=I,
               hidden_act="gelu", max_position_embeddings=P, type_vocab_size=2,
               layer_norm_eps=1e-12, id2label={"0": "a", "1": "b", "2": "c"})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f)
    shutil.copy(vocab, os.path.join(out, "vocab.txt"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
