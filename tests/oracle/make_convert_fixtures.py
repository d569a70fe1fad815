#!/usr/bin/env python3
"""Fixtures for the converter tests (tests/test_convert*.c).

Writes into tests/fixtures/convert/:
  bert_tiny/          BertForSequenceClassification checkpoint in Hugging Face key
                      names: config.json (id2label), vocab.txt,
                      tokenizer_config.json, model.safetensors (with the I64
                      bert.embeddings.position_ids buffer old checkpoints carry)
  bert_tiny_sharded/  the same weights split over two shards with a
                      model.safetensors.index.json, and a tokenizer.json (HF
                      tokenizers) instead of vocab.txt
  bert_tiny_base/     a BertModel checkpoint (no "bert." prefix, old
                      LayerNorm.gamma/beta names, no classifier head)
  seresnet_tiny/      a small timm SE-ResNet (real timm BasicBlock/SE modules,
                      timm key names, BatchNorm running stats and I64
                      num_batches_tracked), stage widths 4/8/16/32, blocks
                      [2,1,1,2], 3 classes; config.json with pretrained_cfg
  resnet_tiny/        the same without squeeze-excitation, no config.json
  seresnet_tiny_ref.safetensors
                      the independent expectations, computed by PyTorch:
                      for every conv+BN pair NAME: NAME.weight/NAME.bias folded
                      in float64 then rounded to float32, NAME.x a random
                      input, NAME.y = bn(conv(x)) in eval mode (float64 math),
                      NAME.stride_pad (I64 [stride, padding]); model.x and
                      model.logits for the whole network.

Run from the repository root: /work/venv/bin/python tests/oracle/make_convert_fixtures.py
Versions: torch 1.13 (Debian), timm 0.9.16, safetensors, tokenizers (pinned in
requirements.txt).
"""
import json
import os
import shutil

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "convert")

VOCAB = ["[PAD]", "[unused0]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "a", "the",
         "gene", "variant", "patient", "muscle", "exome", "##s", "##ing", "##ed", "disease",
         "rare", "test", "##al", "genome", "panel", "mito", "##chondri", "karyotype", "of",
         "in", "and", "with", "was", "is", "de", "novo", "path", "##ogenic", "benign",
         "clinical", "report", "é", "##é", "1", "2", "##3", "child", "adult", "sex", "male",
         "female", "analysis", "sequencing", "syndrome", "##oma", "tumor", "cell", "##ly",
         "deep", "learning"]

BERT_CFG = dict(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=2,
                num_attention_heads=4, intermediate_size=64, hidden_act="gelu",
                max_position_embeddings=64, type_vocab_size=2, layer_norm_eps=1e-12,
                hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                initializer_range=0.02, position_embedding_type="absolute",
                model_type="bert", pad_token_id=0)
LABELS = ["irrelevant", "relevant", "uncertain"]


def bert_state_dict(g):
    c = BERT_CFG
    H, I = c["hidden_size"], c["intermediate_size"]

    def r(*shape):
        return (torch.randn(*shape, generator=g) * 0.1).float()

    sd = {
        "bert.embeddings.word_embeddings.weight": r(c["vocab_size"], H),
        "bert.embeddings.position_embeddings.weight": r(c["max_position_embeddings"], H),
        "bert.embeddings.token_type_embeddings.weight": r(c["type_vocab_size"], H),
        "bert.embeddings.LayerNorm.weight": 1 + r(H),
        "bert.embeddings.LayerNorm.bias": r(H),
        "bert.embeddings.position_ids": torch.arange(c["max_position_embeddings"]).unsqueeze(0),
    }
    for i in range(c["num_hidden_layers"]):
        p = f"bert.encoder.layer.{i}."
        for n in ("query", "key", "value"):
            sd[p + f"attention.self.{n}.weight"] = r(H, H)
            sd[p + f"attention.self.{n}.bias"] = r(H)
        sd[p + "attention.output.dense.weight"] = r(H, H)
        sd[p + "attention.output.dense.bias"] = r(H)
        sd[p + "attention.output.LayerNorm.weight"] = 1 + r(H)
        sd[p + "attention.output.LayerNorm.bias"] = r(H)
        sd[p + "intermediate.dense.weight"] = r(I, H)
        sd[p + "intermediate.dense.bias"] = r(I)
        sd[p + "output.dense.weight"] = r(H, I)
        sd[p + "output.dense.bias"] = r(H)
        sd[p + "output.LayerNorm.weight"] = 1 + r(H)
        sd[p + "output.LayerNorm.bias"] = r(H)
    sd["bert.pooler.dense.weight"] = r(H, H)
    sd["bert.pooler.dense.bias"] = r(H)
    sd["classifier.weight"] = r(len(LABELS), H)
    sd["classifier.bias"] = r(len(LABELS))
    return sd


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def fresh(name):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def make_bert():
    g = torch.Generator().manual_seed(1234)
    sd = bert_state_dict(g)
    cfg = dict(BERT_CFG, architectures=["BertForSequenceClassification"],
               id2label={str(i): l for i, l in enumerate(LABELS)},
               label2id={l: i for i, l in enumerate(LABELS)})

    d = fresh("bert_tiny")
    write_json(os.path.join(d, "config.json"), cfg)
    with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(VOCAB) + "\n")
    write_json(os.path.join(d, "tokenizer_config.json"),
               {"do_lower_case": True, "model_max_length": 64, "tokenizer_class": "BertTokenizer"})
    save_file(sd, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})

    d2 = fresh("bert_tiny_sharded")
    write_json(os.path.join(d2, "config.json"), cfg)
    from tokenizers import BertWordPieceTokenizer
    tok = BertWordPieceTokenizer(os.path.join(d, "vocab.txt"), lowercase=True)
    tok.save(os.path.join(d2, "tokenizer.json"))
    keys = sorted(sd)
    half = len(keys) // 2
    shards = {"model-00001-of-00002.safetensors": keys[:half],
              "model-00002-of-00002.safetensors": keys[half:]}
    wmap = {}
    for fname, ks in shards.items():
        save_file({k: sd[k] for k in ks}, os.path.join(d2, fname), metadata={"format": "pt"})
        wmap.update({k: fname for k in ks})
    write_json(os.path.join(d2, "model.safetensors.index.json"),
               {"metadata": {"total_size": sum(v.numel() * v.element_size() for v in sd.values())},
                "weight_map": wmap})

    d3 = fresh("bert_tiny_base")
    base = {}
    for k, v in sd.items():
        if not k.startswith("bert.") or k.startswith("bert.embeddings.position_ids"):
            continue
        k = k[len("bert."):]
        k = k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        base[k] = v
    write_json(os.path.join(d3, "config.json"), dict(BERT_CFG, architectures=["BertModel"]))
    shutil.copy(os.path.join(d, "vocab.txt"), d3)
    save_file(base, os.path.join(d3, "model.safetensors"))


def tiny_timm_resnet(se, g):
    from timm.models.resnet import ResNet, BasicBlock, make_blocks
    block_args = dict(attn_layer="se") if se else {}
    widths, layers, stem = [4, 8, 16, 32], [2, 1, 1, 2], 4
    m = ResNet(BasicBlock, layers, num_classes=3, stem_width=stem, block_args=block_args)
    # timm 0.9 fixes stage widths at 64..512; rebuild the stages narrower
    # with timm's own make_blocks so every module and key name stays timm's.
    m.conv1 = nn.Conv2d(3, stem, kernel_size=7, stride=2, padding=3, bias=False)
    m.bn1 = nn.BatchNorm2d(stem)
    stages, _ = make_blocks(BasicBlock, widths, layers, stem, **block_args)
    for name, mod in stages:
        setattr(m, name, mod)
    m.fc = nn.Linear(widths[-1], 3)
    m.num_features = widths[-1]
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                c = mod.num_features
                mod.weight.copy_(1 + 0.3 * torch.randn(c, generator=g))
                mod.bias.copy_(0.2 * torch.randn(c, generator=g))
                mod.running_mean.copy_(0.3 * torch.randn(c, generator=g))
                mod.running_var.copy_(0.5 + torch.rand(c, generator=g))
                mod.num_batches_tracked.fill_(1000)
            elif isinstance(mod, (nn.Conv2d, nn.Linear)):
                mod.weight.copy_(0.3 * torch.randn(mod.weight.shape, generator=g))
                if mod.bias is not None:
                    mod.bias.copy_(0.1 * torch.randn(mod.bias.shape, generator=g))
    return m.eval()


def conv_bn_pairs(m):
    """(conv name, conv module, bn module) for every conv followed by a BN."""
    pairs = [("conv1", m.conv1, m.bn1)]
    for li in range(1, 5):
        for bi, blk in enumerate(getattr(m, f"layer{li}")):
            p = f"layer{li}.{bi}."
            pairs.append((p + "conv1", blk.conv1, blk.bn1))
            pairs.append((p + "conv2", blk.conv2, blk.bn2))
            if blk.downsample is not None:
                pairs.append((p + "downsample.0", blk.downsample[0], blk.downsample[1]))
    return pairs


def make_seresnet():
    g = torch.Generator().manual_seed(4321)
    m = tiny_timm_resnet(True, g)
    d = fresh("seresnet_tiny")
    save_file({k: v.contiguous() for k, v in m.state_dict().items()},
              os.path.join(d, "model.safetensors"))
    write_json(os.path.join(d, "config.json"), {
        "architecture": "seresnet34", "num_classes": 3, "num_features": 32,
        "label_names": ["neurogenic", "myogenic", "control"],
        "pretrained_cfg": {"tag": "tiny", "input_size": [3, 64, 64], "interpolation": "bilinear",
                           "crop_pct": 0.9, "crop_mode": "center",
                           "mean": [0.5, 0.45, 0.4], "std": [0.25, 0.2, 0.22],
                           "num_classes": 3, "first_conv": "conv1", "classifier": "fc"}})

    ref = {}
    for name, conv, bn in conv_bn_pairs(m):
        w = conv.weight.double()
        scale = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
        ref[name + ".weight"] = (w * scale[:, None, None, None]).float()
        ref[name + ".bias"] = (bn.bias.double() - bn.running_mean.double() * scale).float()
        x = torch.randn(1, conv.in_channels, 9, 9, generator=g)
        y = F.conv2d(x.double(), w, None, conv.stride, conv.padding)
        y = F.batch_norm(y, bn.running_mean.double(), bn.running_var.double(),
                         bn.weight.double(), bn.bias.double(), False, 0.0, bn.eps)
        ref[name + ".x"] = x
        ref[name + ".y"] = y.float()
        ref[name + ".stride_pad"] = torch.tensor([conv.stride[0], conv.padding[0]], dtype=torch.int64)
    x = torch.randn(1, 3, 64, 64, generator=g)
    with torch.no_grad():
        ref["model.x"] = x
        ref["model.logits"] = m(x)
    save_file(ref, os.path.join(OUT, "seresnet_tiny_ref.safetensors"))

    r = tiny_timm_resnet(False, torch.Generator().manual_seed(99))
    d = fresh("resnet_tiny")
    save_file({k: v.contiguous() for k, v in r.state_dict().items()},
              os.path.join(d, "model.safetensors"))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    make_bert()
    make_seresnet()
    # safetensors creates files 0600; fixtures are ordinary readable files.
    for d, _, files in os.walk(OUT):
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    print("wrote", os.path.normpath(OUT))
