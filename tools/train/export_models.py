"""Dumps the trained forests for `helix convert forest` (through
tools/export_sklearn_forest.py), with the feature names that make each model
self-describing: HPO ids for the UDP forests, vocabulary tokens for the
abstract-triage forests (whose idf values travel in NAME.features.json).

Writes $HELIX_TRAIN_OUT/export/{udp_TARGET,NAME}.forest.json.
Usage: export_models.py [udp] [triage]   (both by default)
"""
import json
import os
import pickle
import sys
import warnings

import numpy as np

from common import out_path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from export_sklearn_forest import write_dump  # noqa: E402

warnings.filterwarnings("ignore", message="X does not have valid feature names")


def export(pkl, names, dst):
    with open(pkl, "rb") as f:
        rf = pickle.load(f)
    assert rf.n_features_in_ == len(names)
    rf.feature_names_in_ = np.array(names, dtype=object)
    write_dump(rf, dst)
    print("wrote", dst)


def main():
    what = sys.argv[1:] or ["udp", "triage"]
    if "udp" in what:
        from train_udp import TARGETS
        terms = json.load(open(out_path("udp", "features.json")))["terms"]
        for t in TARGETS:
            export(out_path("udp", t + ".pkl"), terms, out_path("export", "udp_%s.forest.json" % t))
    if "triage" in what:
        from train_forests import FORESTS
        for name, *_ in FORESTS:
            vocab = json.load(open(out_path("forests", name + ".features.json")))["vocab"]
            export(out_path("forests", name + ".pkl"), vocab, out_path("export", name + ".forest.json"))


if __name__ == "__main__":
    main()
