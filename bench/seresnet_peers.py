#!/usr/bin/env python3
"""SE-ResNet34 latency: helix vs ONNX Runtime vs PyTorch, same weights, same run.

Weights: the seeded SE-ResNet34 of tests/oracle/seresnet_gen.py (seed 7, 3 classes;
BatchNorm folded into conv biases), which `helix bench seresnet --synthetic 7`
builds bit-identically in C, loaded into timm's seresnet34 for PyTorch and
exported to ONNX (opset 13, into /tmp, not committed) for ONNX Runtime.
With --hlx MODEL.hlx helix runs that file instead (e.g. from `helix convert
seresnet`; it should hold the same weights for the ratios to mean anything).

For every (batch, threads) the three engines run in alternating rounds (the
machine may be shared: medians over all rounds are reported), each round
W warm-up + R timed runs. Prints a table and the ratio helix / ORT.

  /work/venv/bin/python bench/seresnet_peers.py --helix BUILD/helix [--batches 1,8]
        [--threads 1,2] [--rounds 3] [--runs 10] [--json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "oracle"))

import numpy as np  # noqa: E402
import torch  # noqa: E402


def build_torch_model(seed):
    import timm
    import seresnet_gen as gen
    from make_seresnet_fixtures import load_into
    w = gen.make_weights(seed, [3, 4, 6, 3], 3)
    return load_into(timm.create_model("seresnet34", num_classes=3, pretrained=False), w)


def export_onnx(model, path):
    x = torch.zeros(1, 3, 224, 224)
    torch.onnx.export(model, x, path, opset_version=13, input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}})


def time_runs(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--helix", required=True, help="path to the helix binary")
    ap.add_argument("--hlx", help="run helix on this model file instead of --synthetic")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    import onnxruntime as ort

    model = build_torch_model(a.seed)
    onnx_path = "/tmp/seresnet34_synthetic_%d.onnx" % a.seed
    export_onnx(model, onnx_path)
    rows = []
    for threads in [int(t) for t in a.threads.split(",")]:
        torch.set_num_threads(threads)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])
        for batch in [int(b) for b in a.batches.split(",")]:
            x = np.random.default_rng(0).uniform(-2, 2, (batch, 3, 224, 224)).astype(np.float32)
            xt = torch.from_numpy(x)
            with torch.no_grad():
                p_torch = torch.softmax(model(xt), 1).numpy()
            p_ort = torch.softmax(torch.from_numpy(sess.run(None, {"x": x})[0]), 1).numpy()
            agree = float(np.abs(p_torch - p_ort).max())
            t = {"helix": [], "onnxruntime": [], "pytorch": []}
            cmd = [a.helix, "bench", "seresnet", "--batch", str(batch), "--threads", str(threads),
                   "--runs", str(a.runs), "--warmup", str(a.warmup), "--json"]
            cmd += ["-m", a.hlx] if a.hlx else ["--synthetic", str(a.seed)]
            for _ in range(a.rounds):
                t["onnxruntime"] += time_runs(lambda: sess.run(None, {"x": x}), a.warmup, a.runs)
                with torch.no_grad():
                    t["pytorch"] += time_runs(lambda: model(xt), a.warmup, a.runs)
                # helix reports one median per process: use its median and min as samples
                r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
                t["helix"] += [r["median_ms"]]
                isa = r.get("isa", "?")
            med = {k: statistics.median(v) for k, v in t.items()}
            row = {"batch": batch, "threads": threads, "isa": isa,
                   "helix_ms": round(med["helix"], 2), "onnxruntime_ms": round(med["onnxruntime"], 2),
                   "pytorch_ms": round(med["pytorch"], 2),
                   "helix_over_ort": round(med["helix"] / med["onnxruntime"], 3),
                   "helix_over_torch": round(med["helix"] / med["pytorch"], 3),
                   "ort_vs_torch_max_prob_diff": agree}
            rows.append(row)
            if a.json:
                print(json.dumps(row), flush=True)
            else:
                print("batch %d threads %d: helix %.1f ms  ORT %.1f ms  PyTorch %.1f ms   helix/ORT %.2f  helix/PyTorch %.2f"
                      % (batch, threads, med["helix"], med["onnxruntime"], med["pytorch"],
                         row["helix_over_ort"], row["helix_over_torch"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
