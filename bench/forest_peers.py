#!/usr/bin/env python3
"""helix forest vs scikit-learn predict_proba (n_jobs=1) and treelite's
compiled model (tl2cgen), same 500-tree forest over HPO-term features
(phenopacket-store, predicting sex), same rows, one thread, batches of
1, 100 and 100,000 rows. Prints rows/s per engine and the ratios.

Run with a Python that has scikit-learn >= 1.3 (treelite's importer needs
missing_go_to_left), treelite and tl2cgen, e.g. the venv of
tests/oracle/requirements-forest-sklnew.txt plus treelite==4.8.1 tl2cgen==1.0.0:
  /work/venv-sklnew/bin/python bench/forest_peers.py --helix BUILD/helix [--workdir DIR]
(--no-treelite works with any scikit-learn, e.g. Debian's 1.2.1; --no-compile skips
tl2cgen, whose generated C for a fully grown forest takes too long to compile, and keeps
treelite's interpreter, GTIL.)

The model, dump and rows are cached in --workdir. Batch 1 is timed per call
over different rows (median of runs); treelite is timed both through its
Python API and by calling the compiled predict() directly with ctypes
(per-row C entry point, the fair batch-1 figure). All figures are CPU
time (process time here, thread time in `helix bench forest`), medians."""
import argparse
import ctypes
import os
import pickle
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))


def median_time(fn, min_runs=3, min_seconds=1.0, max_runs=50):
    """Median CPU time of fn() (process time: the machine may be shared, and
    wall time would count other processes' turns); one run when it is long."""
    times = []
    start = time.process_time()
    while len(times) < max_runs and (len(times) < min_runs or time.process_time() - start < min_seconds):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
        if times[-1] > 10 * min_seconds:
            break
    return float(np.median(times))


def batch_rows(pool, b):
    return np.ascontiguousarray(np.resize(pool, (b, pool.shape[1])))


def bench_python(predict, pool, b, seconds):
    """rows/s of predict(X) on batches of b rows; small batches cycle
    through different rows within each timed run."""
    if b >= 1000:
        X = batch_rows(pool, b)
        return b / median_time(lambda: predict(X), min_seconds=seconds)
    calls = 2000 // b + 1
    starts = [(i * b) % (len(pool) - b) for i in range(calls)]
    batches = [pool[s:s + b] for s in starts]

    def run():
        for X in batches:
            predict(X)
    return b * calls / median_time(run, min_seconds=seconds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--helix", required=True, help="the helix binary")
    ap.add_argument("--workdir", default="/tmp/helix-forest-bench")
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--features", type=int, default=500)
    ap.add_argument("--min-samples-leaf", type=int, default=1)
    ap.add_argument("--max-depth", type=int, default=None)
    ap.add_argument("--batches", default="1,100,100000")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--no-treelite", action="store_true")
    ap.add_argument("--no-compile", action="store_true",
                    help="treelite's interpreter (GTIL) only: compiling a fully grown forest with "
                         "tl2cgen (millions of nodes of generated C) takes too long")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    import sklearn
    from sklearn.ensemble import RandomForestClassifier
    from export_sklearn_forest import write_dump

    tag = "rf%d_f%d_l%d_d%s_skl%s" % (a.trees, a.features, a.min_samples_leaf, a.max_depth,
                                      sklearn.__version__)
    pkl = os.path.join(a.workdir, tag + ".pkl")
    dump = os.path.join(a.workdir, tag + ".json")
    rows = os.path.join(a.workdir, tag + ".rows.f32")
    if not os.path.exists(pkl):
        from make_forest_fixtures import load_hpo
        X, y, cols = load_hpo(a.features, missing_as_nan=False)
        t0 = time.time()
        m = RandomForestClassifier(n_estimators=a.trees, min_samples_leaf=a.min_samples_leaf,
                                   max_depth=a.max_depth, random_state=0, n_jobs=2).fit(X, y)
        print("trained in %.0f s" % (time.time() - t0), file=sys.stderr)
        m.n_jobs = 1
        with open(pkl, "wb") as f:
            pickle.dump((m, X.astype(np.float32)), f)
    with open(pkl, "rb") as f:
        model, pool = pickle.load(f)
    model.n_jobs = 1
    if not os.path.exists(dump):
        write_dump(model, dump)
        pool.astype("<f4").tofile(rows)
    batches = [int(b) for b in a.batches.split(",")]
    nodes = sum(e.tree_.node_count for e in model.estimators_)
    depth = max(e.tree_.max_depth for e in model.estimators_)
    print("model: RandomForestClassifier, %d trees, %d nodes, max depth %d, %d features; "
          "%d distinct rows; scikit-learn %s; 1 thread" % (len(model.estimators_), nodes, depth,
                                                          pool.shape[1], len(pool), sklearn.__version__))

    results = {}
    # helix
    out = subprocess.run([a.helix, "bench", "forest", "--dump", dump, "--x", rows, "--batch", a.batches,
                          "--threads", "1", "--seconds", str(a.seconds)], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        mm = re.match(r"batch (\d+)\s+rows/s\s+([\d.]+)", line)
        if mm:
            results.setdefault(int(mm.group(1)), {})["helix"] = float(mm.group(2))
    # scikit-learn
    for b in batches:
        results[b]["sklearn"] = bench_python(model.predict_proba, pool, b, a.seconds)
    # treelite: its interpreter (GTIL), and the tl2cgen-compiled model
    if not a.no_treelite:
        import treelite
        tl_model = treelite.sklearn.import_model(model)
        for b in batches:
            results[b]["gtil"] = bench_python(
                lambda X: treelite.gtil.predict(tl_model, np.ascontiguousarray(X, dtype=np.float32),
                                                nthread=1), pool, b, a.seconds)
    if not a.no_treelite and not a.no_compile:
        import tl2cgen
        lib = os.path.join(a.workdir, tag + ".tl2cgen.so")
        if not os.path.exists(lib):
            t0 = time.time()
            tl2cgen.export_lib(tl_model, toolchain="gcc", libpath=lib, params={"parallel_comp": 32},
                               nthread=2, options=["-O2"])
            print("tl2cgen compiled in %.0f s" % (time.time() - t0), file=sys.stderr)
        pred = tl2cgen.Predictor(lib, nthread=1)
        for b in batches:
            results[b]["treelite"] = bench_python(lambda X: pred.predict(tl2cgen.DMatrix(X)), pool, b,
                                                  a.seconds)
        # The compiled per-row entry point: predict(union Entry *row, int margin, double *out).
        so = ctypes.CDLL(lib)
        nf = pool.shape[1]

        class Entry(ctypes.Union):
            _fields_ = [("missing", ctypes.c_int), ("fvalue", ctypes.c_double), ("qvalue", ctypes.c_int)]
        so.predict.argtypes = [ctypes.POINTER(Entry), ctypes.c_int, ctypes.POINTER(ctypes.c_double)]
        so.predict.restype = None
        entries = [(Entry * nf)() for _ in range(200)]
        for i, e in enumerate(entries):
            for j in range(nf):
                e[j].fvalue = float(pool[i % len(pool), j])
        res = (ctypes.c_double * 8)()

        def run():
            for e in entries:
                so.predict(e, 0, res)
        results.setdefault(1, {})["treelite_c"] = len(entries) / median_time(run, min_seconds=a.seconds)
    nan = float("nan")
    print("%-8s %13s %11s %11s %12s %11s %10s %10s %10s" % (
        "batch", "helix rows/s", "sklearn", "tl GTIL", "tl2cgen(py)", "tl2cgen(C)", "x sklearn",
        "x GTIL", "x tl2cgen"))
    for b in batches:
        r = results[b]
        tl = r.get("treelite_c", r.get("treelite", nan))
        print("%-8d %13.0f %11.0f %11.0f %12.0f %11.0f %10.1f %10.1f %10.2f" % (
            b, r["helix"], r["sklearn"], r.get("gtil", nan), r.get("treelite", nan),
            r.get("treelite_c", nan), r["helix"] / r["sklearn"], r["helix"] / r.get("gtil", nan),
            r["helix"] / tl))


if __name__ == "__main__":
    main()
