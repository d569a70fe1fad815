"""Random-forest sources of the abstract-triage task: scikit-learn forests on
the helix-bow-v1 features (common.py; pipelines/text_features.c computes the same
floats at run time from the vocabulary stored with the model).

Writes, per forest NAME, in $HELIX_TRAIN_OUT/forests/:
  NAME.pkl             the fitted RandomForestClassifier (pickle)
  NAME.features.json   the featurizer: {"type", "kind", "vocab", "idf"?}
  NAME.probs.jsonl     P(positive) for every abstract of every split
"""
import json
import pickle

from sklearn.ensemble import RandomForestClassifier

from common import featurize, fit_featurizer, out_path, read_jsonl

# name, features, vocabulary size, forest settings (all seeded)
FORESTS = [
    ("rf_counts", "counts", 1000, dict(n_estimators=60, max_depth=10, min_samples_leaf=2,
                                      max_features="sqrt", random_state=11)),
    ("rf_tfidf", "tfidf", 2000, dict(n_estimators=60, max_depth=10, min_samples_leaf=2,
                                    max_features="sqrt", random_state=12)),
    ("rf_tfidf_small", "tfidf", 300, dict(n_estimators=40, max_depth=8, min_samples_leaf=3,
                                         max_features="log2", random_state=13)),
]


def main():
    data = {s: read_jsonl(out_path("abstracts", "hoc_%s.jsonl" % s)) for s in ("train", "dev", "test")}
    texts = {s: [r["text"] for r in rows] for s, rows in data.items()}
    y = [r["label"] for r in data["train"]]
    for name, kind, nvocab, params in FORESTS:
        feat = fit_featurizer(texts["train"], kind, nvocab)
        rf = RandomForestClassifier(class_weight="balanced_subsample", n_jobs=1, **params)
        rf.fit(featurize(texts["train"], feat), y)
        with open(out_path("forests", name + ".pkl"), "wb") as f:
            pickle.dump(rf, f)
        with open(out_path("forests", name + ".features.json"), "w") as f:
            json.dump(feat, f)
        with open(out_path("forests", name + ".probs.jsonl"), "w") as f:
            for s in ("train", "dev", "test"):
                p = rf.predict_proba(featurize(texts[s], feat))[:, 1]
                for r, pi in zip(data[s], p):
                    f.write(json.dumps({"pmid": r["pmid"], "split": s, "p": float(pi)}) + "\n")
                if s != "train":
                    acc = sum((pi >= 0.5) == bool(r["label"]) for pi, r in zip(p, data[s])) / len(p)
                    print("%-15s %-5s acc %.3f" % (name, s, acc))
        nodes = sum(t.tree_.node_count for t in rf.estimators_)
        print("%-15s %d trees, %d nodes, %d features" % (name, len(rf.estimators_), nodes, len(feat["vocab"])))


if __name__ == "__main__":
    main()
