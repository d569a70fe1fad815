#!/usr/bin/env python3
"""Runs one example program (built against the installed helix) on the bundled
models and checks its output: one well-formed line per input, probabilities
in [0, 1] that sum to 1, the label their argmax, and, when the helix CLI of
the same build is given, the same numbers as the CLI (to the 6 decimals the
examples print).

usage: run_example.py NAME BINARY SOURCE_DIR [HELIX_CLI]
Exit status 0 when every check holds; otherwise the first problem on stderr.
"""
import csv
import glob
import io
import json
import os
import struct
import subprocess
import sys

TEXTS = [
    "DNA repair defects and microsatellite instability in colorectal cancer.",
    "A randomised trial of exercise therapy for chronic low back pain.",
]
HP_ROW = {"HP:0000348": 1.0, "HP:0011220": 1.0, "HP:0000337": 1.0}
N_ABSTRACTS = 6
TOL = 2e-6  # the examples print %.6f


class Bad(Exception):
    pass


def run(cmd, stdin=None):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise Bad(f"{os.path.basename(cmd[0])} exited {p.returncode}: {p.stderr.strip()[-300:]}")
    return p.stdout


def parse_probs_line(line, n_lead):
    """'LEAD... LABEL k=v k=v' -> (lead fields, label, {k: v})."""
    fields = line.split()
    if len(fields) < n_lead + 2:
        raise Bad(f"malformed line {line!r}")
    probs = {}
    for kv in fields[n_lead + 1:]:
        k, sep, v = kv.rpartition("=")
        if not sep:
            raise Bad(f"malformed line {line!r}")
        probs[k] = float(v)
    return fields[:n_lead], fields[n_lead], probs


def check_distribution(label, probs, what):
    if any(not (0.0 <= p <= 1.0) for p in probs.values()):
        raise Bad(f"{what}: probability outside [0, 1]")
    if abs(sum(probs.values()) - 1.0) > 1e-4:
        raise Bad(f"{what}: probabilities sum to {sum(probs.values())}")
    if label not in probs or probs[label] < max(probs.values()) - TOL:
        raise Bad(f"{what}: label {label} is not the most probable")


def same_probs(mine, theirs, what):
    if set(mine) != set(theirs):
        raise Bad(f"{what}: labels {sorted(mine)} vs the CLI's {sorted(theirs)}")
    for k in mine:
        if abs(mine[k] - theirs[k]) > TOL:
            raise Bad(f"{what}: P({k}) {mine[k]} vs the CLI's {theirs[k]}")


def hlx_metadata(path):
    """The metadata JSON of an .hlx file (docs/hlx-format.md: offset at 32, size at 40)."""
    with open(path, "rb") as f:
        head = f.read(128)
        off, size = struct.unpack_from("<QQ", head, 32)
        f.seek(off)
        return json.loads(f.read(size).rstrip(b"\0"))


def classify_text(binary, src, cli):
    model = f"{src}/models/triage/bert_a.hlx"
    lines = run([binary, model, *TEXTS]).splitlines()
    if len(lines) != len(TEXTS):
        raise Bad(f"{len(lines)} lines for {len(TEXTS)} texts")
    got = [parse_probs_line(l, 0)[1:] for l in lines]
    for i, (label, probs) in enumerate(got):
        check_distribution(label, probs, f"text {i + 1}")
    if cli:
        jsonl = "".join(json.dumps({"text": t}) + "\n" for t in TEXTS)
        ref = [json.loads(l) for l in run([cli, "classify-text", "-m", model, "--threads", "1"], jsonl).splitlines()]
        for i, ((label, probs), r) in enumerate(zip(got, ref)):
            same_probs(probs, r["probs"], f"text {i + 1}")
            if label != r["label"]:
                raise Bad(f"text {i + 1}: label {label} vs the CLI's {r['label']}")


def classify_image(binary, src, cli):
    model = f"{src}/models/ultrasound/seresnet_untrained_tiny.hlx"
    jpegs = sorted(glob.glob(f"{src}/models/ultrasound/*.jpg"))
    if not jpegs:
        raise Bad("no bundled JPEG")
    lines = run([binary, model, *jpegs]).splitlines()
    if len(lines) != len(jpegs):
        raise Bad(f"{len(lines)} lines for {len(jpegs)} images")
    got = []
    for path, line in zip(jpegs, lines):
        (file,), label, probs = parse_probs_line(line, 1)
        if file != path:
            raise Bad(f"line for {file}, expected {path}")
        check_distribution(label, probs, os.path.basename(path))
        got.append(probs)
    if cli:
        ref = [json.loads(l) for l in run([cli, "classify-image", "-m", model, "--threads", "1", *jpegs]).splitlines()]
        for path, probs, r in zip(jpegs, got, ref):
            same_probs(probs, r["probs"], os.path.basename(path))


def forest_predict(binary, src, cli):
    model = f"{src}/models/udp/male.hlx"
    lines = run([binary, model, *(f"{k}={v:g}" for k, v in HP_ROW.items())]).splitlines()
    if len(lines) != 1:
        raise Bad(f"{len(lines)} lines for one row")
    _, label, probs = parse_probs_line(lines[0], 0)
    check_distribution(label, probs, "row")
    if cli:
        names = hlx_metadata(model)["forest"]["feature_names"]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(names)
        w.writerow([f"{HP_ROW.get(n, 0.0):g}" for n in names])
        rows = list(csv.reader(io.StringIO(run([cli, "forest", "predict", "-m", model, "--proba"], buf.getvalue()))))
        header, values = rows[0][:-1], rows[1][:-1]  # last column: error
        same_probs(probs, {k: float(v) for k, v in zip(header, values)}, "row")


def abstracts(src, n):
    """The first n test abstracts that fit on one line (the example reads lines)."""
    out = []
    with open(f"{src}/models/triage/hoc_test.jsonl") as f:
        for line in f:
            text = json.loads(line)["text"]
            if "\n" not in text and "\r" not in text:
                out.append(text)
            if len(out) == n:
                break
    return out


def triage(binary, src, cli):
    config = f"{src}/models/triage.json"
    texts = abstracts(src, N_ABSTRACTS)
    lines = run([binary, config], "".join(t + "\n" for t in texts)).splitlines()
    if len(lines) != len(texts):
        raise Bad(f"{len(lines)} lines for {len(texts)} abstracts")
    got = []
    for i, line in enumerate(lines):
        fields = line.split()
        if len(fields) != 2 or fields[1] not in ("0", "1"):
            raise Bad(f"abstract {i + 1}: malformed line {line!r}")
        p, label = float(fields[0]), int(fields[1])
        if not 0.0 <= p <= 1.0 or label != (p >= 0.5):
            raise Bad(f"abstract {i + 1}: p {p}, label {label}")
        got.append(p)
    if len(set(got)) < 2:
        raise Bad("every abstract has the same score")
    if cli:
        jsonl = "".join(json.dumps({"text": t}) + "\n" for t in texts)
        ref = [json.loads(l) for l in run([cli, "triage", "--config", config], jsonl).splitlines()]
        for i, (p, r) in enumerate(zip(got, ref)):
            if abs(p - r["p"]) > TOL:
                raise Bad(f"abstract {i + 1}: p {p} vs the CLI's {r['p']}")


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    name, binary, src = sys.argv[1:4]
    cli = sys.argv[4] if len(sys.argv) == 5 else ""
    try:
        {"classify_text": classify_text, "classify_image": classify_image,
         "forest_predict": forest_predict, "triage": triage}[name](binary, src, cli)
    except Bad as e:
        sys.exit(f"{name}: {e}")
    print(f"{name}: ok{' (same as the CLI)' if cli else ''}")


if __name__ == "__main__":
    main()
