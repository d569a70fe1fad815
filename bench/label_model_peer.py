#!/usr/bin/env python3
"""Label-model fit time: helix vs snorkel 0.10.0 on the same matrices, same run.

For K = 2 and K = 4, builds one n x m label matrix (default 100,000 x 20; LF j
abstains with probability 0.1 + 0.8 j/m and is right with 0.55 + 0.4 j/m),
writes it to a temporary CSV, runs `helix bench label-model -L that.csv -k K`
(median of --repeat fits, in-memory, timing the fit only) and times
LabelModel(cardinality=K, verbose=False).fit(L, seed=0, progress_bar=False)
with snorkel's defaults (median of --repeat fits), then prints the ratios of wall-clock and of
process CPU time (the latter is steadier on a shared machine; snorkel runs with
one torch thread by default, --threads to change).
Also checks that both learned the same mu (max abs difference).

  /work/venv/bin/python bench/label_model_peer.py --helix BUILD/helix
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from snorkel.labeling.model import LabelModel


def make_matrix(n, m, k, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, size=n)
    j = np.arange(m)
    ab = 0.1 + 0.8 * j / m
    acc = 0.55 + 0.4 * j / m
    right = rng.random((n, m)) < acc
    other = rng.integers(0, k - 1, size=(n, m))
    other = np.where(other < y[:, None], other, other + 1)
    L = np.where(right, y[:, None], other)
    L = np.where(rng.random((n, m)) < ab, -1, L)
    return L.astype(np.int64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--helix", default="build/helix")
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--m", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="torch threads for snorkel")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"snorkel fit vs helix fit, n={args.n} m={args.m}, default settings "
          f"(100 SGD epochs, lr 0.01), torch threads={args.threads}, median of {args.repeat}")
    for k in (2, 4):
        L = make_matrix(args.n, args.m, k, seed=k)
        with tempfile.TemporaryDirectory() as td:
            path = os.path.join(td, "L.csv")
            np.savetxt(path, L, fmt="%d", delimiter=",")
            out = subprocess.run([args.helix, "bench", "label-model", "-L", path, "-k", str(k),
                                  "--repeat", str(args.repeat)], check=True, capture_output=True,
                                 text=True).stdout
            t_helix = float(re.search(r"median ([0-9.]+) ms, min", out).group(1)) / 1e3
            c_helix = float(re.search(r"median ([0-9.]+) ms cpu", out).group(1)) / 1e3
            mpath = os.path.join(td, "lm.json")
            subprocess.run([args.helix, "label-model", "fit", "-L", path, "-k", str(k), "--seed", "0",
                            "-o", mpath], check=True)
            with open(mpath) as f:
                mu_helix = np.array(json.load(f)["mu"])
        times, cpus = [], []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            lm = LabelModel(cardinality=k, verbose=False)
            lm.fit(L, seed=0, progress_bar=False)
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        t_snorkel = float(np.median(times))
        c_snorkel = float(np.median(cpus))
        dmu = float(np.abs(lm.mu.detach().numpy() - mu_helix).max())
        print(f"K={k}: wall: snorkel {t_snorkel * 1e3:8.1f} ms  helix {t_helix * 1e3:7.2f} ms  "
              f"speed-up {t_snorkel / t_helix:6.1f}x | cpu: snorkel {c_snorkel * 1e3:8.1f} ms  "
              f"helix {c_helix * 1e3:7.2f} ms  speed-up {c_snorkel / c_helix:6.1f}x | "
              f"max|mu diff| {dmu:.1e}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
