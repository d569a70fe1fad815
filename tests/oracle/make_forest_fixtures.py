#!/usr/bin/env python3
"""Fixtures for tests/test_forest*.c: scikit-learn models, their dumps and
what scikit-learn itself predicts for them.

Run twice, once per scikit-learn flavour (both write into tests/fixtures/forest):
  /usr/bin/python3 tests/oracle/make_forest_fixtures.py --flavor old
      Debian's scikit-learn 1.2.1: count-valued tree_.value, no NaN support
  /work/venv-sklnew/bin/python tests/oracle/make_forest_fixtures.py --flavor new
      a plain venv with PyPI scikit-learn (pinned in tests/oracle/requirements-forest-sklnew.txt):
      fraction-valued tree_.value, missing_go_to_left, NaN accepted

For each model NAME it writes
  NAME.dump.json   tools/export_sklearn_forest.py output
  NAME.x.csv       input rows (header = feature names), float64 repr, empty cell = NaN
  NAME.proba       predict_proba (classifiers) or predict (regressors), one row per
                   line, float64 as C99 hex literals (exact)
  NAME.pred        classifiers: index into classes_ of predict()
  NAME.apply       leaf node id of each tree (estimator.apply; gradient boosting:
                   its (n, stages, K) array flattened, stage-major)
  NAME.raw         gradient-boosting classifiers only: decision_function, K per row
  NAME.reject.csv  rows scikit-learn refuses (each checked alone), same header
and forest_versions.txt records the library versions of each flavour.
"""
import argparse
import json
import warnings
import os
import sys
import tarfile

import numpy as np
import sklearn
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,
                              GradientBoostingClassifier, GradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from export_sklearn_forest import export_forest  # noqa: E402

OUT = os.path.join(ROOT, "tests", "fixtures", "forest")
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
PHENO = os.path.join(SHARED, "data", "phenopackets", "phenopacket-store-b694d17.tar.xz")


def load_hpo(n_terms, missing_as_nan):
    """HPO-term matrix of phenopacket-store subjects with a known sex.
    Cell = 1 observed, 0 excluded, missing (NaN or 0) when the term is not
    mentioned. Columns: the n_terms most often mentioned terms."""
    subjects = []
    with tarfile.open(PHENO, "r:xz") as tar:
        for m in tar:
            if not (m.isfile() and m.name.endswith(".json")):
                continue
            d = json.load(tar.extractfile(m))
            sex = d.get("subject", {}).get("sex")
            if sex not in ("MALE", "FEMALE"):
                continue
            terms = {}
            for f in d.get("phenotypicFeatures", []):
                tid = f.get("type", {}).get("id")
                if tid:
                    terms[tid] = 0.0 if f.get("excluded") else 1.0
            subjects.append((m.name, sex, terms))
    subjects.sort()
    counts = {}
    for _, _, t in subjects:
        for k in t:
            counts[k] = counts.get(k, 0) + 1
    cols = sorted(counts, key=lambda k: (-counts[k], k))[:n_terms]
    miss = np.nan if missing_as_nan else 0.0
    X = np.full((len(subjects), len(cols)), miss)
    for i, (_, _, t) in enumerate(subjects):
        for j, c in enumerate(cols):
            if c in t:
                X[i, j] = t[c]
    y = np.array([s for _, s, _ in subjects])
    return X, y, cols


def hexrow(vals):
    return " ".join(float(v).hex() for v in vals)


def write_csv(path, names, X):
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for row in X:
            f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in row) + "\n")


def tree_list(est):
    """The model's trees in dump order (gradient boosting: stage-major)."""
    if isinstance(est, (GradientBoostingClassifier, GradientBoostingRegressor)):
        return list(est.estimators_.ravel())
    return est.estimators_ if hasattr(est, "estimators_") else [est]


def edge_rows(est, X, rng, n):
    """Rows whose cells sit on, and one float64 / float32 ulp either side of,
    thresholds the model uses (a missing float32 cast changes the path)."""
    trees = tree_list(est)
    rows = []
    for _ in range(n):
        r = X[rng.integers(len(X))].copy()
        for _ in range(4):
            t = trees[rng.integers(len(trees))].tree_
            internal = np.flatnonzero(t.children_left != -1)
            if len(internal) == 0:
                continue
            node = internal[rng.integers(len(internal))]
            thr = t.threshold[node]
            if not np.isfinite(thr):
                continue
            f32 = np.float32(thr)
            choice = rng.integers(5)
            v = [thr, np.nextafter(thr, np.inf), np.nextafter(thr, -np.inf),
                 float(np.nextafter(f32, np.float32(np.inf))), float(f32)][choice]
            r[t.feature[node]] = v
        rows.append(r)
    return np.array(rows)


def special_rows(n_features, allow_nan):
    rows = []
    for v in (-0.0, 0.0, 1e-46, 1e-40, -1e-40, 3.4e38, -3.4e38, 1.50000001):
        rows.append(np.full(n_features, v))
    if allow_nan:
        rows.append(np.full(n_features, np.nan))
    return np.array(rows)


def reject_rows(n_features, allow_nan):
    rows = []
    for v in (1e39, -1e39, np.inf, -np.inf) + (() if allow_nan else (np.nan,)):
        r = np.zeros(n_features)
        r[n_features // 2] = v
        rows.append(r)
    return np.array(rows)


def save(name, est, X, names=None):
    dump = export_forest(est)
    n_features = dump["n_features"]
    if names is None:
        names = dump["feature_names"] or ["f%d" % i for i in range(n_features)]
    rng = np.random.default_rng(len(name))
    X = np.vstack([X, edge_rows(est, X, rng, 40), special_rows(n_features, dump["allow_nan"])])
    with open(os.path.join(OUT, name + ".dump.json"), "w") as f:
        json.dump(dump, f, allow_nan=False)
        f.write("\n")
    write_csv(os.path.join(OUT, name + ".x.csv"), names, X)
    trees = tree_list(est)
    leaves = np.column_stack([t.apply(X.astype(np.float32)) for t in trees])
    gb = isinstance(est, (GradientBoostingClassifier, GradientBoostingRegressor))
    if gb and not np.array_equal(est.apply(X).reshape(len(X), -1), leaves):
        raise SystemExit("%s: estimator.apply differs from the stage-major tree order" % name)
    if gb and dump["task"] == "classification":
        with open(os.path.join(OUT, name + ".raw"), "w") as f:
            for row in np.asarray(est.decision_function(X)).reshape(len(X), -1):
                f.write(hexrow(row) + "\n")
    np.savetxt(os.path.join(OUT, name + ".apply"), leaves, fmt="%d")
    with open(os.path.join(OUT, name + ".proba"), "w") as f:
        if dump["task"] == "classification":
            for row in est.predict_proba(X):
                f.write(hexrow(row) + "\n")
        else:
            for v in est.predict(X):
                f.write(hexrow([v]) + "\n")
    if dump["task"] == "classification":
        pred = est.predict(X)
        idx = [int(np.flatnonzero(est.classes_ == p)[0]) for p in pred]
        np.savetxt(os.path.join(OUT, name + ".pred"), idx, fmt="%d")
    bad = reject_rows(n_features, dump["allow_nan"])
    for r in bad:
        try:
            est.predict(r[None, :])
        except ValueError:
            continue
        raise SystemExit("%s: sklearn accepted a row expected to be rejected" % name)
    write_csv(os.path.join(OUT, name + ".reject.csv"), names, bad)
    depth = max(t.tree_.max_depth for t in trees)
    nodes = sum(t.tree_.node_count for t in trees)
    print("%-24s trees=%-3d nodes=%-6d depth=%-3d rows=%d nan=%s" % (
        name, len(trees), nodes, depth, len(X), dump["allow_nan"]))


def synthetic(rng, n, f, with_nan):
    X = rng.normal(size=(n, f))
    if with_nan:
        X[rng.random(size=X.shape) < 0.15] = np.nan
    return X


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flavor", choices=["old", "new"], required=True)
    a = ap.parse_args()
    fl = a.flavor
    warnings.simplefilter("ignore", UserWarning)  # "X does not have valid feature names"
    new = fl == "new"
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)

    # Real data: HPO terms -> sex (weak signal, so trees grow deep).
    X, y, cols = load_hpo(48, missing_as_nan=new)
    order = rng.permutation(len(X))
    tr, te = order[:2500], order[2500:2700]
    rf = RandomForestClassifier(n_estimators=16, min_samples_leaf=3, random_state=1).fit(X[tr], y[tr])
    # What fitting on a DataFrame would record (no pandas needed here).
    rf.feature_names_in_ = np.array(cols, dtype=object)
    save("hpo_rf_" + fl, rf, X[te], cols)

    # Synthetic, NaN in training where supported; 3 string classes.
    Xs = synthetic(rng, 600, 6, new)
    ys = np.where(np.nan_to_num(Xs[:, 0]) + np.isnan(Xs[:, 1]) > 0.3, "b",
                  np.where(np.nan_to_num(Xs[:, 2]) > 0, "a", "c"))
    et = ExtraTreesClassifier(n_estimators=12, max_depth=8, random_state=2).fit(Xs, ys)
    save("syn_et3_" + fl, et, synthetic(rng, 150, 6, new))
    rfs = RandomForestClassifier(n_estimators=10, max_depth=7, random_state=3).fit(Xs, ys)
    save("syn_rf3_" + fl, rfs, synthetic(rng, 150, 6, new))

    # Many classes (>= 8: NumPy's pairwise row sum in the old normalisation),
    # non-contiguous integer labels.
    Xm = rng.normal(size=(800, 5))
    ym = (np.floor(np.abs(Xm[:, 0] * 3 + Xm[:, 1]) * 2) % 11).astype(int) * 3 + 5
    rfm = RandomForestClassifier(n_estimators=8, max_depth=9, random_state=4).fit(Xm, ym)
    save("many_classes_" + fl, rfm, rng.normal(size=(150, 5)))

    # Regression forests.
    Xr = synthetic(rng, 500, 4, new)
    yr = np.nan_to_num(Xr[:, 0]) * 3.7 + np.sin(np.nan_to_num(Xr[:, 1]) * 5) + rng.normal(size=500) * 0.1
    save("reg_rf_" + fl, RandomForestRegressor(n_estimators=10, max_depth=10, random_state=5).fit(Xr, yr),
         synthetic(rng, 150, 4, new))
    save("reg_et_" + fl, ExtraTreesRegressor(n_estimators=10, max_depth=10, random_state=6).fit(Xr, yr),
         synthetic(rng, 150, 4, new))

    # Single-node trees: constant features.
    Xc = np.ones((50, 3))
    yc = np.arange(50) % 2
    save("single_node_" + fl, RandomForestClassifier(n_estimators=3, random_state=7).fit(Xc, yc),
         rng.normal(size=(20, 3)))

    # Depth > 30 with one feature: exponentially growing targets make every
    # best split peel off the largest remaining sample.
    Xd = np.arange(45, dtype=np.float64)[:, None] * 0.37
    yd = 3.0 ** np.arange(45)
    dt = DecisionTreeRegressor(random_state=8).fit(Xd, yd)
    save("deep_reg_" + fl, dt, np.linspace(-1, 18, 120)[:, None])
    wd = 3.0 ** np.arange(45)
    dc = DecisionTreeClassifier(random_state=9).fit(Xd, np.arange(45) % 2, sample_weight=wd)
    save("deep_clf_" + fl, dc, np.linspace(-1, 18, 120)[:, None])

    # Best-first builder (node ids not pre-order), ties in the forest average
    # (2 fully grown trees, pure leaves -> many 0.5/0.5 rows: argmax must pick the first class).
    Xb = rng.normal(size=(300, 4))
    yb = (Xb[:, 0] * Xb[:, 1] > 0).astype(int)
    save("best_first_" + fl, DecisionTreeClassifier(max_leaf_nodes=20, random_state=10).fit(Xb, yb),
         rng.normal(size=(100, 4)))
    save("ties_" + fl, RandomForestClassifier(n_estimators=2, random_state=11).fit(Xb, yb),
         rng.normal(size=(100, 4)))

    # Trees too big for QuickScorer (the left-run scan walkers). Fully grown
    # on the HPO terms: one threshold per feature, 1-bit bins (NaN in "new").
    rng2 = np.random.default_rng(12)
    Xh, yh, colsh = load_hpo(48, missing_as_nan=new)
    oh = rng2.permutation(len(Xh))
    rff = RandomForestClassifier(n_estimators=4, random_state=12).fit(Xh[oh[:3000]], yh[oh[:3000]])
    save("hpo_full_" + fl, rff, Xh[oh[3000:3300]], colsh)
    # Integer features 0..90: 8-bit bins, ~700 distinct thresholds (the
    # two-register bit form).
    Xi = rng2.integers(0, 91, size=(3000, 8)).astype(np.float64)
    yi = ((Xi[:, 0] + Xi[:, 1] * 0.5 + rng2.normal(size=3000) * 20) > 70).astype(int)
    if new:
        Xi[rng2.random(size=Xi.shape) < 0.05] = np.nan
    rfi = RandomForestClassifier(n_estimators=3, random_state=13).fit(Xi, yi)
    Xit = rng2.integers(-2, 93, size=(300, 8)).astype(np.float64) + rng2.choice([0, 0.5], size=(300, 8))
    if new:
        Xit[rng2.random(size=Xit.shape) < 0.05] = np.nan
    save("int_full_" + fl, rfi, Xit)

    # Gradient boosting (classic, no NaN support in any version): binary
    # log-loss on the HPO terms (missing = 0), multiclass log-loss, the
    # exponential loss, regressors (a small one, and one with > 256 leaves
    # per tree for the scan walkers). A new generator: the models above
    # and their fixtures stay as they were.
    rng3 = np.random.default_rng(20)
    Xg, yg, colsg = load_hpo(48, missing_as_nan=False)
    og = rng3.permutation(len(Xg))
    gbb = GradientBoostingClassifier(n_estimators=40, max_depth=3, subsample=0.8,
                                     random_state=21).fit(Xg[og[:2500]], yg[og[:2500]])
    gbb.feature_names_in_ = np.array(colsg, dtype=object)
    save("gb_hpo_bin_" + fl, gbb, Xg[og[2500:2800]], colsg)
    Xq = rng3.normal(size=(900, 6))
    yq = np.digitize(Xq[:, 0] + 0.5 * Xq[:, 1] * Xq[:, 2], [-1.0, 0.0, 0.8])  # 4 classes
    gbm = GradientBoostingClassifier(n_estimators=15, max_depth=4, learning_rate=0.2,
                                     random_state=22).fit(Xq, yq)
    save("gb_multi_" + fl, gbm, rng3.normal(size=(200, 6)) * 1.3)
    ye = (Xq[:, 3] - Xq[:, 4] ** 2 + 0.3 * rng3.normal(size=900) > -0.5).astype(int)
    gbe = GradientBoostingClassifier(loss="exponential", n_estimators=25, max_depth=3,
                                     random_state=23).fit(Xq, ye)
    save("gb_exp_" + fl, gbe, rng3.normal(size=(200, 6)))
    Xr2 = rng3.normal(size=(1500, 5))
    yr2 = Xr2[:, 0] * 2.5 + np.sin(Xr2[:, 1] * 3) + rng3.normal(size=1500) * 0.2
    gbr = GradientBoostingRegressor(loss="huber", n_estimators=30, max_depth=4,
                                    learning_rate=0.15, random_state=24).fit(Xr2, yr2)
    save("gb_reg_" + fl, gbr, rng3.normal(size=(200, 5)))
    gbr2 = GradientBoostingRegressor(n_estimators=4, max_depth=None,
                                     max_leaf_nodes=300, random_state=25).fit(Xr2, yr2)
    save("gb_reg_big_" + fl, gbr2, rng3.normal(size=(200, 5)))

    vers = os.path.join(OUT, "forest_versions.txt")
    lines = []
    if os.path.exists(vers):
        lines = [l for l in open(vers).read().splitlines() if not l.startswith(fl + ":")]
    lines.append("%s: python %s, scikit-learn %s, numpy %s" % (
        fl, sys.version.split()[0], sklearn.__version__, np.__version__))
    with open(vers, "w") as f:
        f.write("\n".join(sorted(lines)) + "\n")


if __name__ == "__main__":
    main()
