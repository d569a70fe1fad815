"""Undiagnosed-disease triage (docs/udp-task.md): one random forest per target
on HPO-term features, trained on a patient-level split grouped by publication.

Reads the phenopacket-store tarball and hp.json from /work/shared/data; writes
to $HELIX_TRAIN_OUT/udp/:
  patients.jsonl           every parsed phenopacket with its split and targets
  features.json            {"hpo_version", "terms": [HP ids, feature order]}
  NAME.pkl                 the forest of target NAME
  probs.jsonl              per test patient, each target's P(1) (Python figures)
  report.json              correct / incorrect / accuracy / majority rate per target
Feature j of a patient is 1.0 when terms[j] is among the is_a ancestors
(reflexive) of one of the patient's observed terms (resolved through alt ids
and replaced_by), else 0.0. Excluded terms are not features.
"""
import json
import os
import pickle
import tarfile

import numpy as np
from sklearn.ensemble import RandomForestClassifier

import phenopacket as pp
from common import SHARED, out_path, split_of_patient
from hpo import Ontology

TARGETS = ["male", "pediatric", "structural_variant", "biallelic"]
MIN_SUPPORT = 30  # a term is a feature when >= this many training patients carry it


def publication_of(pid):
    # phenopacket-store ids are PMID_<n>_<individual>; group a publication's patients
    return pid.split("_")[1] if pid.startswith("PMID_") and pid.count("_") >= 2 else pid


def load_patients(onto):
    tf = tarfile.open(os.path.join(SHARED, "phenopackets", "phenopacket-store-b694d17.tar.xz"))
    rows, unknown = [], {}
    for m in tf:
        if not (m.isfile() and m.name.endswith(".json") and "/phenopackets/" in m.name):
            continue
        d = json.loads(tf.extractfile(m).read())
        p = pp.parse(d)
        terms, unk = set(), []
        for t in p["observed"]:
            live, how = onto.resolve(t)
            if live is None:
                unk.append(t)
            else:
                terms |= onto.ancestors(live)
        for t in unk:
            unknown[t] = unknown.get(t, 0) + 1
        rows.append({"id": p["id"], "file": m.name.split("/", 1)[1],
                     "split": split_of_patient(publication_of(p["id"])),
                     "targets": pp.targets(p), "terms": sorted(terms), "unknown": unk})
    rows.sort(key=lambda r: r["file"])
    return rows, unknown


def main():
    onto = Ontology(os.path.join(SHARED, "hpo", "hp.v2024-04-26.json.gz"))
    rows, unknown = load_patients(onto)
    with open(out_path("udp", "patients.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    print("%d patients; %d observed-term uses of %d ids not in HPO %s" %
          (len(rows), sum(unknown.values()), len(unknown), onto.version))
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    support = {}
    for r in train:
        for t in r["terms"]:
            support[t] = support.get(t, 0) + 1
    terms = sorted(t for t, n in support.items() if n >= MIN_SUPPORT)
    index = {t: j for j, t in enumerate(terms)}
    with open(out_path("udp", "features.json"), "w") as f:
        json.dump({"type": "helix-hpo-ancestors-v1", "hpo_version": onto.version, "terms": terms}, f)

    def X(rs):
        a = np.zeros((len(rs), len(terms)), dtype=np.float32)
        for i, r in enumerate(rs):
            for t in r["terms"]:
                j = index.get(t)
                if j is not None:
                    a[i, j] = 1.0
        return a

    report, probs = {}, {r["id"]: {} for r in test}
    for k, name in enumerate(TARGETS):
        tr = [r for r in train if r["targets"][name] is not None]
        te = [r for r in test if r["targets"][name] is not None]
        ytr = np.array([r["targets"][name] for r in tr])
        yte = np.array([r["targets"][name] for r in te])
        rf = RandomForestClassifier(n_estimators=50, max_depth=10, min_samples_leaf=5,
                                    max_features="sqrt", random_state=100 + k, n_jobs=1)
        rf.fit(X(tr), ytr)
        with open(out_path("udp", name + ".pkl"), "wb") as f:
            pickle.dump(rf, f)
        p = rf.predict_proba(X(te))[:, 1]
        for r, pi in zip(te, p):
            probs[r["id"]][name] = float(pi)
        correct = int(((p >= 0.5) == (yte == 1)).sum())
        majority = max(ytr.mean(), 1 - ytr.mean())
        maj_class = int(ytr.mean() >= 0.5)
        report[name] = {"n_test": len(te), "correct": correct, "incorrect": len(te) - correct,
                        "accuracy": correct / len(te),
                        "majority_rate": float((yte == maj_class).mean()),
                        "train_majority_rate": float(majority),
                        "nodes": int(sum(t.tree_.node_count for t in rf.estimators_))}
        print("%-20s n=%4d correct %4d incorrect %4d acc %.3f majority %.3f (%d nodes)" %
              (name, len(te), correct, len(te) - correct, correct / len(te),
               report[name]["majority_rate"], report[name]["nodes"]))
    with open(out_path("udp", "probs.jsonl"), "w") as f:
        for pid in sorted(probs):
            f.write(json.dumps({"id": pid, "p": probs[pid]}) + "\n")
    with open(out_path("udp", "report.json"), "w") as f:
        json.dump({"features": len(terms), "train": len(train), "test": len(test),
                   "unknown_terms": unknown, "targets": report}, f, indent=1, sort_keys=True)
    print("%d features, %d train / %d test patients" % (len(terms), len(train), len(test)))


if __name__ == "__main__":
    main()
