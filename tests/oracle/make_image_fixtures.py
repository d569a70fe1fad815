#!/usr/bin/env python3
"""Fixtures for tests/test_image.c: decoding and timm eval preprocessing by PIL + torchvision.

For every JPEG in ../shared/data/jpeg_test and a few ultrasound images:
  decode.txt   NAME WIDTH HEIGHT FNV1A64  of PIL's RGB decode after ImageOps.exif_transpose
               (PIL uses libjpeg-turbo; CMYK via PIL's own CMYK->RGB), or NAME error
               for files PIL/libjpeg-turbo 8-bit cannot decode.
  NAME.SIZE.INTERP.u8  the SIZExSIZE crop (HWC uint8) of timm's eval transform:
               Resize(floor(SIZE / 0.875), INTERP) + CenterCrop(SIZE), torchvision on PIL.
It also checks, for the files with a reference decode in jpeg_test/reference_png
(ImageMagick), that PIL's decode is within a mean |diff| of 2.5 levels (IDCTs differ):
so helix, tested equal to PIL, is equal to the reference decodes to that bound.
Run: /work/venv/bin/python tests/oracle/make_image_fixtures.py
"""
import csv
import os

import numpy as np
from PIL import Image, ImageOps
from torchvision import transforms

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "image")
DATA = os.path.join(os.path.dirname(os.path.dirname(ROOT)), "shared", "data")
US = ["ultrasound/pocus_lung/convex__Cov_Oliviera_2020_Fig4A.jpg",
      "ultrasound/pocus_lung/convex__Pneu_Avi_consolidated-lung.JPG"]
CROPS = [(64, "bilinear"), (64, "bicubic"), (37, "bilinear")]


def fnv1a64_np(a):
    """FNV-1a 64 of the array's bytes."""
    h = 0xcbf29ce484222325
    for x in a.tobytes():
        h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = list(csv.DictReader(open(os.path.join(DATA, "jpeg_test", "index.csv"))))
    files = [("jpeg_test/" + r["file"], r["reference_png"]) for r in rows] + [(u, "") for u in US]
    lines = []
    for rel, ref in files:
        name = os.path.basename(rel).rsplit(".", 1)[0]
        try:
            im = Image.open(os.path.join(DATA, rel))
            im.load()
        except Exception as e:  # 12-bit etc.
            lines.append("%s error" % name)
            print(name, "PIL error:", e)
            continue
        rgb = ImageOps.exif_transpose(im).convert("RGB")
        a = np.asarray(rgb, dtype=np.uint8)
        lines.append("%s %d %d %016x" % (name, a.shape[1], a.shape[0], fnv1a64_np(a)))
        if ref:
            rim = Image.open(os.path.join(DATA, "jpeg_test", ref))
            if rim.mode in ("I", "I;16"):  # 16-bit grey reference: back to 8 bits, replicated
                g = np.rint(np.asarray(rim, dtype=np.float64) / 257.0).astype(np.int16)
                r = np.stack([g, g, g], axis=-1)
            else:
                r = np.asarray(rim.convert("RGB"), dtype=np.int16)
            d = np.abs(r - a.astype(np.int16)).mean() if r.shape == a.shape else 999
            print("%-40s PIL vs reference decode: mean |diff| %.3f" % (name, d))
            assert d < 2.5, name
        for size, interp in CROPS:
            mode = {"bilinear": transforms.InterpolationMode.BILINEAR,
                    "bicubic": transforms.InterpolationMode.BICUBIC}[interp]
            tf = transforms.Compose([transforms.Resize(int(size / 0.875), interpolation=mode),
                                     transforms.CenterCrop(size)])
            np.asarray(tf(rgb), dtype=np.uint8).tofile(os.path.join(OUT, "%s.%d.%s.u8" % (name, size, interp)))
    with open(os.path.join(OUT, "decode.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
