#!/usr/bin/env python3
"""Dump a fitted scikit-learn tree model to the helix forest JSON format.

Usage:  export_sklearn_forest.py MODEL.pkl -o DUMP.json
        (MODEL.pkl: a pickle or joblib file holding one fitted estimator)

As a library:  export_forest(estimator) -> dict,  write_dump(estimator, path)

Supported: DecisionTreeClassifier/Regressor, ExtraTreeClassifier/Regressor,
RandomForestClassifier/Regressor, ExtraTreesClassifier/Regressor, single output.
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
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

FORMAT = "helix-forest-dump"
FORMAT_VERSION = 1


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


def export_forest(est):
    """Returns the dump of a fitted estimator as a JSON-serialisable dict."""
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
