#!/usr/bin/env python3
"""Dump a fitted scikit-learn tree model to the helix forest JSON format.

Usage:  export_sklearn_forest.py MODEL.pkl -o DUMP.json
        (MODEL.pkl: a pickle or joblib file holding one fitted estimator)

As a library:  export_forest(estimator) -> dict,  write_dump(estimator, path)

Supported: DecisionTreeClassifier/Regressor, ExtraTreeClassifier/Regressor,
RandomForestClassifier/Regressor, ExtraTreesClassifier/Regressor, single output;
GradientBoostingClassifier (log-loss binary or multiclass, exponential) and
GradientBoostingRegressor (any loss), with the built-in init or init="zero"
(written as format_version 2, which readers of version 1 refuse).
The schema is described in docs/forest-format.md. Needs only scikit-learn
(and NumPy, which it brings) and the standard library.

Leaf values are taken from the estimator's own predict_proba / predict code
path, so the stored numbers are bit for bit what that scikit-learn version
adds up per tree: counts normalised with NumPy's row sum by sklearn <= 1.3,
fractions used as stored by newer versions. The engine never renormalises.
"""
import argparse
import base64
import copy
import json
import pickle
import sys

import numpy as np
import sklearn
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,
                              GradientBoostingClassifier, GradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

FORMAT = "helix-forest-dump"
FORMAT_VERSION = 1
FORMAT_VERSION_GB = 2


class ExportError(ValueError):
    pass


def _b64(arr, dtype):
    """Little-endian bytes of arr as dtype, base64 encoded."""
    return base64.b64encode(np.ascontiguousarray(arr, dtype=dtype).tobytes()).decode("ascii")


class _LeafTree:
    """Stands in for estimator.tree_ so that the estimator's own
    predict_proba/predict turns raw leaf values into what it adds up."""

    def __init__(self, value):
        self.value = value

    def predict(self, X):
        # What Tree.predict returns: (n, max_n_classes) for one output.
        return self.value.reshape(self.value.shape[0], -1)


def _leaf_outputs(tree_est, leaves, classification):
    """Per-leaf output rows exactly as tree_est.predict_proba (or .predict for
    regression) computes them for a sample landing in that leaf."""
    t = tree_est.tree_
    fake = copy.copy(tree_est)
    fake.tree_ = _LeafTree(t.value[leaves])
    # Only X's shape is looked at with check_input=False (n_features check).
    X = np.broadcast_to(np.zeros((1, tree_est.n_features_in_), dtype=np.float32),
                        (len(leaves), tree_est.n_features_in_))
    if classification:
        out = fake.predict_proba(X, check_input=False)
    else:
        out = fake.predict(X, check_input=False)
    out = np.asarray(out, dtype=np.float64).reshape(len(leaves), -1)
    return out


def _self_check(tree_est, value, classification, allow_nan):
    """The dumped leaf rows must be what the estimator predicts: a few rows
    made from the tree's own thresholds (and NaN) go through both."""
    t = tree_est.tree_
    rng = np.random.default_rng(0)
    thr = t.threshold[t.children_left != -1]
    thr = thr[np.isfinite(thr)]
    if len(thr) == 0:
        thr = np.zeros(1)
    X = rng.choice(thr, size=(64, tree_est.n_features_in_)) + rng.choice([-1e-3, 0.0, 1e-3], (64, 1))
    X = X.astype(np.float32)
    if allow_nan:
        X[rng.random(X.shape) < 0.1] = np.nan
    got = value[tree_est.apply(X)]
    want = tree_est.predict_proba(X) if classification else tree_est.predict(X)[:, None]
    if not np.array_equal(got, want):
        raise ExportError("internal check failed: dumped leaf values differ from the "
                          "estimator's own predictions (unsupported scikit-learn version?)")


def _accepts_nan(est, n_features):
    """Does this fitted estimator accept NaN at predict time? Asked the way
    sklearn decides it: try one all-NaN row."""
    try:
        est.predict(np.full((1, n_features), np.nan))
        return True
    except ValueError:
        return False


def _export_tree(tree_est, classification, n_values, need_missing):
    t = tree_est.tree_
    n = int(t.node_count)
    if int(t.n_outputs) != 1:
        raise ExportError("multi-output trees are not supported")
    left = np.asarray(t.children_left)
    right = np.asarray(t.children_right)
    leaves = np.flatnonzero(left == -1)
    value = np.zeros((n, n_values), dtype=np.float64)
    value[leaves] = _leaf_outputs(tree_est, leaves, classification)
    if not np.all(np.isfinite(value)):
        raise ExportError("non-finite leaf value")
    _self_check(tree_est, value, classification, need_missing)
    tree = {
        "node_count": n,
        "children_left": _b64(left, "<i4"),
        "children_right": _b64(right, "<i4"),
        "feature": _b64(t.feature, "<i4"),
        "threshold": _b64(t.threshold, "<f8"),
        "value": _b64(value, "<f8"),
    }
    if need_missing:
        tree["missing_go_to_left"] = _b64(t.missing_go_to_left, "u1")
    return tree


def _gb_link(est):
    """(link, label_rule) of a fitted gradient-boosting model, read from the
    loss object of that scikit-learn version: sklearn <= 1.2 has its own
    losses in ensemble/_gb_losses.py (softmax via logsumexp, predict = argmax
    of predict_proba except for the exponential loss); newer versions use
    sklearn._loss (softmax = exp(x - max) / sum, predict from the raw
    score: raw >= 0 for binary, argmax raw for multiclass)."""
    if isinstance(est, GradientBoostingRegressor):
        return "identity", "raw"
    loss = type(est._loss)
    old = loss.__module__.endswith("_gb_losses")
    name = loss.__name__
    known = {
        "BinomialDeviance": ("logistic", "argmax_proba"),
        "MultinomialDeviance": ("softmax_logsumexp", "argmax_proba"),
        "ExponentialLoss": ("exponential", "raw"),
    } if old else {
        "HalfBinomialLoss": ("logistic", "raw"),
        "HalfMultinomialLoss": ("softmax", "raw"),
        "ExponentialLoss": ("exponential", "raw"),
    }
    if name not in known:
        raise ExportError("unsupported gradient boosting loss: %s" % name)
    return known[name]


def _gb_raw(dump, trees, X32):
    """The engine's arithmetic in NumPy: init, then stage by stage
    raw[k] += learning_rate * leaf value (product rounded, then added)."""
    K = dump["n_raw"]
    init = np.frombuffer(base64.b64decode(dump["init_raw"]), dtype="<f8")
    raw = np.tile(init, (len(X32), 1))
    lr = dump["learning_rate"]
    for t, tree in enumerate(trees):
        raw[:, t % K] += lr * tree.tree_.value[tree.apply(X32), 0, 0]
    return raw


def _export_gb(est):
    if not hasattr(est, "estimators_"):
        raise ExportError("the estimator is not fitted")
    n_features = int(est.n_features_in_)
    if _accepts_nan(est, n_features):
        raise ExportError("this gradient boosting model accepts NaN, which the format does not describe")
    if not (est.init_ == "zero" or (est.init is None and isinstance(est.init_, (DummyClassifier, DummyRegressor)))):
        raise ExportError("custom init estimators are not supported (only the default or init='zero')")
    K = int(est.estimators_.shape[1])
    link, rule = _gb_link(est)
    # The initial raw scores are constant: the estimator's own code on one
    # row gives them bit for bit (checked on a second row).
    rows = np.zeros((2, n_features), dtype=np.float32)
    rows[1] = 1.0
    init = np.asarray(est._raw_predict_init(rows), dtype=np.float64).reshape(2, K)
    if not np.array_equal(init[0], init[1]) or not np.all(np.isfinite(init[0])):
        raise ExportError("the initial raw prediction is not a finite constant")
    trees = list(est.estimators_.ravel())  # stage-major: estimators_[i, k] -> i * K + k
    classification = isinstance(est, GradientBoostingClassifier)
    names = getattr(est, "feature_names_in_", None)
    dump = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION_GB,
        "sklearn_version": sklearn.__version__,
        "estimator": type(est).__name__,
        "task": "classification" if classification else "regression",
        "n_features": n_features,
        "feature_names": [str(s) for s in names] if names is not None else None,
        "allow_nan": False,
        "n_values": len(est.classes_) if classification else 1,
        "link": link,
        "label_rule": rule,
        "n_raw": K,
        "learning_rate": float(est.learning_rate),
        "init_raw": _b64(init[0], "<f8"),
        "trees": [_export_tree(e, False, 1, False) for e in trees],
    }
    if classification:
        dump["classes"] = [_label(c) for c in est.classes_]
    # The sum the engine does must be sklearn's raw prediction, bit for bit.
    rng = np.random.default_rng(0)
    thr = np.concatenate([t.tree_.threshold[t.tree_.children_left != -1] for t in trees] + [np.zeros(1)])
    X = (rng.choice(thr, size=(64, n_features)) + rng.choice([-1e-3, 0.0, 1e-3], (64, 1))).astype(np.float32)
    want = np.asarray(est._raw_predict(X), dtype=np.float64).reshape(len(X), K)
    if not np.array_equal(_gb_raw(dump, trees, X), want):
        raise ExportError("internal check failed: the stage sums differ from the estimator's own "
                          "raw predictions (unsupported scikit-learn version?)")
    return dump


def export_forest(est):
    """Returns the dump of a fitted estimator as a JSON-serialisable dict."""
    if isinstance(est, (GradientBoostingClassifier, GradientBoostingRegressor)):
        return _export_gb(est)
    kinds = (RandomForestClassifier, ExtraTreesClassifier, RandomForestRegressor,
             ExtraTreesRegressor, DecisionTreeClassifier, DecisionTreeRegressor)
    if not isinstance(est, kinds):
        raise ExportError("unsupported estimator: %s" % type(est).__name__)
    classification = isinstance(est, (RandomForestClassifier, ExtraTreesClassifier,
                                      DecisionTreeClassifier))
    if not hasattr(est, "n_features_in_"):
        raise ExportError("the estimator is not fitted")
    if getattr(est, "n_outputs_", 1) != 1:
        raise ExportError("multi-output models are not supported")
    trees = est.estimators_ if hasattr(est, "estimators_") else [est]
    n_features = int(est.n_features_in_)
    names = getattr(est, "feature_names_in_", None)
    allow_nan = _accepts_nan(est, n_features)
    has_missing = hasattr(trees[0].tree_, "missing_go_to_left")
    if allow_nan and not has_missing:
        raise ExportError("estimator accepts NaN but its trees have no missing_go_to_left")
    n_values = len(est.classes_) if classification else 1
    dump = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "sklearn_version": sklearn.__version__,
        "estimator": type(est).__name__,
        "task": "classification" if classification else "regression",
        "n_features": n_features,
        "feature_names": [str(s) for s in names] if names is not None else None,
        "allow_nan": bool(allow_nan),
        "n_values": n_values,
        "trees": [_export_tree(e, classification, n_values, allow_nan) for e in trees],
    }
    if classification:
        dump["classes"] = [_label(c) for c in est.classes_]
    return dump


def _label(c):
    if isinstance(c, (bytes, np.bytes_)):
        return c.decode("utf-8", "replace")
    if isinstance(c, (np.integer, np.bool_)):
        return str(c.item())
    return str(c)


def write_dump(est, path):
    dump = export_forest(est)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(dump, f, allow_nan=False)
        f.write("\n")


def load_estimator(path):
    """A pickle, or a joblib file (joblib comes with scikit-learn)."""
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:
        import joblib
        return joblib.load(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Dump a fitted scikit-learn forest for helix")
    ap.add_argument("model", help="pickled or joblib-saved estimator")
    ap.add_argument("-o", "--output", required=True, help="output JSON dump")
    a = ap.parse_args(argv)
    try:
        est = load_estimator(a.model)
        write_dump(est, a.output)
    except (ExportError, OSError) as e:
        print("export_sklearn_forest: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
