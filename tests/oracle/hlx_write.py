#!/usr/bin/env python3
"""An independent .hlx writer written from docs/hlx-format.md alone (pure
Python, including XXH64), used to check that the spec is complete: files it
writes must open and verify in helix (tests/fixtures/hlx/py_written.hlx),
and it makes the small fuzzing seeds in tests/fuzz/seeds/{hlx,safetensors}/.

Run from the repository root: /work/venv/bin/python tests/oracle/hlx_write.py
"""
import json
import os
import struct

import numpy as np

M64 = (1 << 64) - 1
P1, P2, P3, P4, P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                      0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def _round(acc, lane):
    return (_rotl((acc + lane * P2) & M64, 31) * P1) & M64


def xxh64(data, seed=0):
    n, i = len(data), 0
    if n >= 32:
        v = [(seed + P1 + P2) & M64, (seed + P2) & M64, seed, (seed - P1) & M64]
        while i + 32 <= n:
            for k in range(4):
                v[k] = _round(v[k], struct.unpack_from("<Q", data, i + 8 * k)[0])
            i += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & M64
        for k in range(4):
            h = ((h ^ _round(0, v[k])) * P1 + P4) & M64
    else:
        h = (seed + P5) & M64
    h = (h + n) & M64
    while i + 8 <= n:
        h ^= _round(0, struct.unpack_from("<Q", data, i)[0])
        h = (_rotl(h, 27) * P1 + P4) & M64
        i += 8
    if i + 4 <= n:
        h ^= (struct.unpack_from("<I", data, i)[0] * P1) & M64
        h = (_rotl(h, 23) * P2 + P3) & M64
        i += 4
    while i < n:
        h ^= (data[i] * P5) & M64
        h = (_rotl(h, 11) * P1) & M64
        i += 1
    h ^= h >> 33
    h = (h * P2) & M64
    h ^= h >> 29
    h = (h * P3) & M64
    h ^= h >> 32
    return h


DTYPES = {"f32": (0, np.float32), "f16": (1, np.float16), "i32": (4, np.int32),
          "i64": (5, np.int64), "u8": (6, np.uint8)}


def align(x, a):
    return (x + a - 1) // a * a


def write_hlx(path, meta, tensors):
    """tensors: list of (name, dtype name, numpy array); i8 as (name, "i8", q, scales)."""
    meta_bytes = json.dumps(meta, separators=(",", ":")).encode() + b"\0"
    regions, entries, names = [], [], b""
    for t in tensors:
        name = t[0].encode()
        if t[1] == "i8":
            q, scales = t[2].astype(np.int8), t[3].astype("<f4")
            raw = q.tobytes()
            raw += b"\0" * (align(len(raw), 4) - len(raw)) + scales.tobytes()
            code, dims = 3, q.shape
        else:
            code, np_t = DTYPES[t[1]]
            raw = np.ascontiguousarray(t[2], dtype=np.dtype(np_t).newbyteorder("<")).tobytes()
            dims = t[2].shape
        entries.append((len(names), len(name), code, dims, raw))
        names += name + b"\0"
    meta_off = 128
    dir_off = align(meta_off + len(meta_bytes), 8)
    names_off = 112 * len(tensors)
    dir_size = names_off + len(names)
    data_off = align(dir_off + dir_size, 64)
    pos, dir_bytes, blob = data_off, b"", b""
    sums = []
    for (noff, nlen, code, dims, raw) in entries:
        pos = align(pos, 64)
        dd = list(dims) + [0] * (8 - len(dims))
        s = xxh64(raw)
        sums.append(s)
        dir_bytes += struct.pack("<IIII8qQQQQ", noff, nlen, code, len(dims), *dd, pos, len(raw), s, 0)
        regions.append((pos, raw))
        pos += len(raw)
    dir_bytes += names
    file_size = pos
    meta_sum, dir_sum = xxh64(meta_bytes), xxh64(dir_bytes)
    file_sum = xxh64(struct.pack("<%dQ" % (2 + len(sums)), meta_sum, dir_sum, *sums))
    hdr = b"\x89HLX\r\n\x1a\n" + struct.pack("<IHHII", 0x01020304, 1, 0, 128, 0)
    hdr += struct.pack("<QQQQQQIIQQQQQ", file_size, meta_off, len(meta_bytes), dir_off, dir_size,
                       len(tensors), 112, names_off, data_off, file_size - data_off,
                       meta_sum, dir_sum, file_sum)
    hdr += struct.pack("<Q", xxh64(hdr))
    assert len(hdr) == 128
    out = bytearray(file_size)
    out[0:128] = hdr
    out[meta_off:meta_off + len(meta_bytes)] = meta_bytes
    out[dir_off:dir_off + dir_size] = dir_bytes
    for p, raw in regions:
        out[p:p + len(raw)] = raw
    with open(path, "wb") as f:
        f.write(out)


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    assert xxh64(b"") == 0xEF46DB3751D8E999 and xxh64(b"abc") == 0x44BC2CF5AD770999
    rng = np.random.default_rng(7)
    fix = os.path.join(root, "fixtures", "hlx")
    os.makedirs(fix, exist_ok=True)
    w = rng.standard_normal((3, 5)).astype(np.float32)
    q = rng.integers(-128, 128, (4, 3))
    tensors = [("dense.weight", "f32", w),
               ("dense.bias", "f32", np.arange(3, dtype=np.float32) - 1.5),
               ("half", "f16", np.array([1.0, -2.0, 65504.0], dtype=np.float16)),
               ("scalar", "f32", np.array(0.25, dtype=np.float32)),
               ("ids", "i64", np.array([1, -2, 3], dtype=np.int64)),
               ("q", "i8", q, np.array([0.5, 0.25, 2.0, 1.0], dtype=np.float32)),
               ("emptyish", "f32", np.zeros((0, 4), dtype=np.float32))]
    meta = {"arch": "test", "name": "written by hlx_write.py", "labels": ["α", "b"],
            "extra": {"nested": [1, 2.5, None, True]}}
    write_hlx(os.path.join(fix, "py_written.hlx"), meta, tensors)
    # The expected values, as plain JSON, for tests/test_hlx.c.
    with open(os.path.join(fix, "py_written.json"), "w") as f:
        json.dump({"dense.weight": [float(x) for x in w.ravel()], "q": [int(x) for x in q.ravel()]}, f)

    seeds = os.path.join(root, "fuzz", "seeds", "hlx")
    os.makedirs(seeds, exist_ok=True)
    write_hlx(os.path.join(seeds, "mixed.hlx"), meta, tensors)
    write_hlx(os.path.join(seeds, "empty.hlx"), {}, [])
    write_hlx(os.path.join(seeds, "bert_like.hlx"),
              {"arch": "bert", "labels": ["neg", "pos"],
               "bert": {"hidden_size": 4, "num_hidden_layers": 1},
               "tokenizer": {"type": "wordpiece", "vocab": ["[PAD]", "[UNK]", "a", "##b"]}},
              [("bert.embeddings.word_embeddings.weight", "f32", rng.standard_normal((4, 4)).astype(np.float32)),
               ("classifier.bias", "f32", np.zeros(2, dtype=np.float32))])

    from safetensors.numpy import save_file
    sdir = os.path.join(root, "fuzz", "seeds", "safetensors")
    os.makedirs(sdir, exist_ok=True)
    save_file({"a": rng.standard_normal((2, 3)).astype(np.float32),
               "b": np.array([1, 2], dtype=np.float16),
               "n": np.array(5, dtype=np.int64)}, os.path.join(sdir, "mixed.safetensors"),
              metadata={"format": "pt"})
    save_file({"w": np.zeros((4,), dtype=np.float64), "e": np.zeros((0, 3), dtype=np.float32)},
              os.path.join(sdir, "f64_empty.safetensors"))
    # safetensors creates files 0600; fixtures are ordinary readable files.
    for d, _, files in os.walk(os.path.join(root, "fuzz", "seeds")):
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    print("wrote", os.path.normpath(fix), "and fuzz seeds")


if __name__ == "__main__":
    main()
