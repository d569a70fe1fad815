#!/usr/bin/env python3
"""Fixtures for tests/test_seresnet.c: timm SE-ResNet outputs on seeded weights.

Weights come from seresnet_gen.py (reproduced bit for bit in C by
bench/seresnet_gen.h), are loaded into timm models (BatchNorm made an exact
"+ bias": weight 1, running mean 0, running var 1, eps 0) and run by PyTorch.
Written to tests/fixtures/seresnet/:
  tiny_probs.txt   timm ResNet(BasicBlock, [1,1,1,1], SE), 3 classes, seed 1,
                   on 2 xorshift images (seed 99, 3x40x36, uniform [-2, 2))
  full_probs.txt   timm seresnet34, 3 classes, seed 7, on the real images below
  full_NAME.u8     each image's 224x224 RGB crop (HWC uint8) from PIL + torchvision
                   (timm eval transform, bilinear, crop_pct 0.875), the network's
                   input after /255 and ImageNet mean/std.
Run: /work/venv/bin/python tests/oracle/make_seresnet_fixtures.py
"""
import os
import sys

import numpy as np
import timm
import torch
import torchvision
from PIL import Image, ImageOps
from timm.models.resnet import BasicBlock, ResNet
from torchvision import transforms

sys.path.insert(0, os.path.dirname(__file__))
import seresnet_gen as gen  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "seresnet")
SHARED = os.path.join(os.path.dirname(os.path.dirname(ROOT)), "shared", "data")
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
IMAGES = [("tower", "jpeg_test/jd__tower.jpg"),
          ("lung", "ultrasound/pocus_lung/convex__Cov_Oliviera_2020_Fig4A.jpg")]


def load_into(model, w):
    """Folded tensors -> timm modules: conv weight, and the BN after it as + bias."""
    sd = model.state_dict()
    new = {}
    for name, t in w.items():
        t = torch.from_numpy(t.copy())
        if name.endswith(".bias") and ("conv" in name.split(".")[-2] or "downsample" in name):
            if name == "conv1.bias":
                bn = "bn1"
            elif "downsample" in name:
                bn = name.replace("downsample.0.bias", "downsample.1")
            else:
                bn = name.replace("conv", "bn").rsplit(".", 1)[0]
            new[bn + ".weight"] = torch.ones_like(t)
            new[bn + ".bias"] = t
            new[bn + ".running_mean"] = torch.zeros_like(t)
            new[bn + ".running_var"] = torch.ones_like(t)
        else:
            new[name] = t
    missing = [k for k in sd if k not in new and not k.endswith("num_batches_tracked")]
    extra = [k for k in new if k not in sd]
    assert not missing and not extra, (missing, extra)
    model.load_state_dict(new, strict=False)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.eps = 0.0
    return model.eval()


def probs_lines(tag, logits):
    p = torch.softmax(logits.double(), dim=1)
    return ["%s %d %s" % (tag, i, " ".join("%.9g" % v for v in row)) for i, row in enumerate(p.tolist())]


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    # tiny
    w = gen.make_weights(1, [1, 1, 1, 1], 3)
    tiny = load_into(ResNet(BasicBlock, [1, 1, 1, 1], num_classes=3, block_args=dict(attn_layer="se")), w)
    x = gen.uniform(gen._states(99, 2 * 3 * 40 * 36), np.float32(2.0)).reshape(2, 3, 40, 36)
    with torch.no_grad():
        lines = probs_lines("tiny", tiny(torch.from_numpy(x)))
    with open(os.path.join(OUT, "tiny_probs.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    # full
    w = gen.make_weights(7, [3, 4, 6, 3], 3)
    full = load_into(timm.create_model("seresnet34", num_classes=3, pretrained=False), w)
    tf = transforms.Compose([transforms.Resize(256, interpolation=transforms.InterpolationMode.BILINEAR),
                             transforms.CenterCrop(224)])
    lines = []
    for name, rel in IMAGES:
        img = ImageOps.exif_transpose(Image.open(os.path.join(SHARED, rel))).convert("RGB")
        crop = np.asarray(tf(img), dtype=np.uint8)
        crop.tofile(os.path.join(OUT, "full_%s.u8" % name))
        t = torchvision.transforms.functional.to_tensor(crop)
        t = torchvision.transforms.functional.normalize(t, MEAN, STD).unsqueeze(0)
        with torch.no_grad():
            lines += probs_lines(name, full(t))
    with open(os.path.join(OUT, "full_probs.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(OUT, "VERSIONS.txt"), "w") as f:
        f.write("torch %s\ntorchvision %s\ntimm %s\nPillow %s\nnumpy %s\n" % (
            torch.__version__, torchvision.__version__, timm.__version__, Image.__version__, np.__version__))
    print(open(os.path.join(OUT, "tiny_probs.txt")).read(), open(os.path.join(OUT, "full_probs.txt")).read())


if __name__ == "__main__":
    main()
