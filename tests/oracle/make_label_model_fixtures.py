#!/usr/bin/env python3
"""Fixtures for helix's label model (tests/test_label_model*.c, tests/test_lf*.c).

Oracle: snorkel 0.10.0 (PyPI, installed --no-deps over Debian's torch 1.13).
For every case: LabelModel(cardinality=k, verbose=False).fit(L, seed=S,
progress_bar=False, ...), then mu, get_conditional_probs(), get_weights(),
predict_proba(L), predict(L) with the "abstain" and "random" tie policies.
Also LFAnalysis and MajorityLabelVoter on the YouTube spam label matrix.

Label matrices:
- synthetic: a splitmix64 generator that tests/test_label_model.c re-implements
  (so large matrices need not be committed); every case lists its parameters;
- YouTube spam comments (../shared/data/weak_supervision/youtube_spam): the
  records are written as JSONL, the labeling functions of youtube_lfs.json are
  applied here by an independent Python implementation of helix's rule
  semantics (include/helix/lf_rules.h), and the test checks helix's `lf apply` gives the
  same matrix.

Run: /work/venv/bin/python tests/oracle/make_label_model_fixtures.py
"""
import csv
import json
import math
import os
import re
import sys

import numpy as np
import torch
import snorkel
from snorkel.labeling import LFAnalysis
from snorkel.labeling.model import LabelModel, MajorityClassVoter, MajorityLabelVoter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "tests", "fixtures", "label_model")
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data", "weak_supervision", "youtube_spam")
if not os.path.isdir(DATA):
    DATA = "/work/shared/data/weak_supervision/youtube_spam"

MASK64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.s = seed & MASK64

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) * (1.0 / 9007199254740992.0)


def gen_matrix(g):
    """Rows: y from the balance; LF j abstains with prob abstain[j], else votes
    y with prob acc[j], else a uniformly chosen other class. Fixed draw order."""
    rng = SplitMix64(g["seed"])
    n, m, k = g["n"], g["m"], g["k"]
    bal = g.get("balance") or [1.0 / k] * k
    cum = np.cumsum(bal)
    L = np.empty((n, m), dtype=np.int64)
    Y = np.empty(n, dtype=np.int64)
    for r in range(n):
        u = rng.uniform()
        y = 0
        while y < k - 1 and u >= cum[y]:
            y += 1
        Y[r] = y
        for j in range(m):
            if rng.uniform() < g["abstain"][j]:
                L[r, j] = -1
                continue
            if rng.uniform() < g["acc"][j]:
                L[r, j] = y
            else:
                o = int(rng.uniform() * (k - 1))
                L[r, j] = o if o < y else o + 1
    return L, Y


def nan_to_none(a):
    return [None if (isinstance(x, float) and math.isnan(x)) else x for x in a]


def r10(a):
    """10 significant digits: far below the 1e-4 test tolerance, half the bytes."""
    return [None if x is None else float(f"{x:.10g}") for x in a]


def fit_case(name, L, k, fit_kwargs, class_balance=None, Y_dev=None, gen=None, store_rows=1000,
             csv_name=None):
    lm = LabelModel(cardinality=k, verbose=False)
    case = {"name": name, "k": k, "n": int(L.shape[0]), "m": int(L.shape[1]),
            "fit": {kk: v for kk, v in fit_kwargs.items()}}
    if class_balance is not None:
        case["class_balance"] = list(class_balance)
    if Y_dev is not None:
        case["y_dev"] = [int(v) for v in Y_dev]
    if gen is not None:
        case["gen"] = gen
    elif csv_name is not None:
        case["L_csv"] = csv_name
    else:
        case["L"] = [int(v) for v in L.reshape(-1)]
    try:
        lm.fit(L, Y_dev=Y_dev, class_balance=class_balance, progress_bar=False, **fit_kwargs)
    except Exception as e:  # noqa: BLE001 - the error itself is the expected outcome
        case["error"] = str(e)
        return case
    mu = lm.mu.detach().numpy().astype(np.float64)
    case["mu"] = [float(v) for v in mu.reshape(-1)]
    case["p"] = [float(v) for v in lm.p]
    case["weights"] = nan_to_none([float(v) for v in lm.get_weights()])
    case["cprobs"] = r10([float(v) for v in lm.get_conditional_probs().reshape(-1)])
    Ls = L[:store_rows]
    with np.errstate(all="ignore"):
        proba = lm.predict_proba(Ls)
    case["proba_rows"] = int(Ls.shape[0])
    case["proba"] = r10(nan_to_none([float(v) for v in proba.reshape(-1)]))
    case["pred_abstain"] = [int(v) for v in lm.predict(Ls, tie_break_policy="abstain")]
    case["pred_random"] = [int(v) for v in lm.predict(Ls, tie_break_policy="random")]
    # Rows whose two top probabilities are within 1e-4: predictions there may
    # legitimately flip at float32 level, so tests skip them.
    amb = []
    for r in range(proba.shape[0]):
        srt = np.sort(proba[r])[::-1]
        if np.isnan(srt).any() or (abs(srt[0] - srt[1]) < 1e-4 and abs(srt[0] - srt[1]) >= 1e-6):
            amb.append(r)
    case["ambiguous_rows"] = amb
    return case


def synthetic_cases():
    cases = []

    def g(seed, n, m, k, abstain, acc, balance=None):
        d = {"seed": seed, "n": n, "m": m, "k": k, "abstain": abstain, "acc": acc}
        if balance:
            d["balance"] = balance
        return d

    specs = [
        ("k2_m3_n10", g(1, 10, 3, 2, [0.2, 0.3, 0.1], [0.8, 0.7, 0.9]), {"seed": 0}),
        ("k2_m5_n50", g(2, 50, 5, 2, [0.5] * 5, [0.9, 0.8, 0.7, 0.6, 0.85]), {"seed": 123}),
        ("k2_m5_n1000", g(3, 1000, 5, 2, [0.3, 0.5, 0.7, 0.2, 0.9], [0.9, 0.75, 0.8, 0.65, 0.95]), {"seed": 7}),
        ("k3_m6_n1000", g(4, 1000, 6, 3, [0.4] * 6, [0.8, 0.7, 0.6, 0.9, 0.5, 0.75]), {"seed": 42}),
        ("k4_m20_n2000", g(5, 2000, 20, 4, [0.6 + 0.015 * j for j in range(20)],
                           [0.55 + 0.02 * j for j in range(20)]), {"seed": 2024}),
        ("k2_m20_n1e5", g(6, 100000, 20, 2, [0.1 + 0.04 * j for j in range(20)],
                          [0.6 + 0.015 * j for j in range(20)]), {"seed": 11}),
        ("k4_m8_n1e5", g(7, 100000, 8, 4, [0.5] * 8, [0.5, 0.6, 0.7, 0.8, 0.55, 0.65, 0.75, 0.85]), {"seed": 5}),
        ("k2_l2", g(8, 1000, 5, 2, [0.4] * 5, [0.8, 0.7, 0.6, 0.9, 0.75]), {"seed": 3, "l2": 0.5}),
        ("k3_adam", g(9, 1000, 5, 3, [0.4] * 5, [0.8, 0.7, 0.6, 0.9, 0.75]), {"seed": 4, "optimizer": "adam", "lr": 0.01}),
        ("k3_adam_l2", g(9, 1000, 5, 3, [0.4] * 5, [0.8, 0.7, 0.6, 0.9, 0.75]),
         {"seed": 4, "optimizer": "adam", "lr": 0.005, "l2": 0.1}),
        ("k2_adamax", g(10, 1000, 5, 2, [0.4] * 5, [0.8, 0.7, 0.6, 0.9, 0.75]), {"seed": 9, "optimizer": "adamax", "lr": 0.02}),
        ("k2_epochs0", g(11, 500, 4, 2, [0.3] * 4, [0.8] * 4), {"seed": 1, "n_epochs": 0}),
        ("k2_epochs300_lr05", g(12, 500, 4, 2, [0.3] * 4, [0.8, 0.7, 0.9, 0.6]), {"seed": 8, "n_epochs": 300, "lr": 0.05}),
        ("k2_adversarial", g(13, 1000, 5, 2, [0.3] * 5, [0.2, 0.3, 0.25, 0.35, 0.3]), {"seed": 6}),
        ("k3_adversarial", g(14, 1000, 6, 3, [0.3] * 6, [0.1, 0.15, 0.2, 0.1, 0.2, 0.15]), {"seed": 6}),
        # 10 classes: the permutation step goes through the Hungarian algorithm.
        ("k10_adversarial", g(19, 2000, 5, 10, [0.2] * 5, [0.05, 0.08, 0.1, 0.5, 0.06]), {"seed": 3}),
        ("k10_accurate", g(22, 2000, 6, 10, [0.3] * 6, [0.7, 0.6, 0.8, 0.5, 0.65, 0.75]), {"seed": 4}),
        ("k2_prec_list", g(15, 1000, 4, 2, [0.4] * 4, [0.8, 0.7, 0.6, 0.9]), {"seed": 2, "prec_init": [0.9, 0.6, 0.7, 0.8]}),
        ("k2_mu_eps", g(16, 1000, 4, 2, [0.4] * 4, [0.99, 0.98, 0.97, 0.6]), {"seed": 2, "mu_eps": 0.05}),
        ("k2_linear_sched", g(17, 1000, 4, 2, [0.4] * 4, [0.8, 0.7, 0.6, 0.9]),
         {"seed": 5, "lr_scheduler": "linear", "lr_scheduler_config": {"warmup_steps": 10, "warmup_unit": "epochs"}}),
        ("k2_exp_sched", g(17, 1000, 4, 2, [0.4] * 4, [0.8, 0.7, 0.6, 0.9]),
         {"seed": 5, "lr": 0.05, "lr_scheduler": "exponential", "lr_scheduler_config": {"min_lr": 0.01}}),
        ("k2_step_sched_warmup", g(17, 1000, 4, 2, [0.4] * 4, [0.8, 0.7, 0.6, 0.9]),
         {"seed": 5, "lr_scheduler": "step", "lr_scheduler_config": {"warmup_percentage": 0.1}}),
        ("k2_nan", g(18, 200, 4, 2, [0.2] * 4, [0.8] * 4), {"seed": 1, "lr": 1e6}),
    ]
    for name, gp, kw in specs:
        L, _ = gen_matrix(gp)
        cases.append(fit_case(name, L, gp["k"], kw, gen=gp, store_rows=300))
        print(name, "error" if "error" in cases[-1] else "ok", file=sys.stderr)

    # Class balance given / from Y_dev; non-uniform with two equal priors.
    gp = g(20, 1000, 5, 3, [0.4] * 5, [0.8, 0.7, 0.6, 0.9, 0.75], balance=[0.2, 0.4, 0.4])
    L, Y = gen_matrix(gp)
    cases.append(fit_case("k3_balance_given", L, 3, {"seed": 3}, class_balance=[0.2, 0.4, 0.4], gen=gp,
                          store_rows=300))
    cases.append(fit_case("k3_balance_ydev", L, 3, {"seed": 3}, Y_dev=Y[:300], gen=gp, store_rows=300))
    gp = g(21, 1000, 5, 2, [0.4] * 5, [0.3, 0.2, 0.35, 0.4, 0.25], balance=[0.7, 0.3])
    L, Y = gen_matrix(gp)
    cases.append(fit_case("k2_balance_skewed_adversarial", L, 2, {"seed": 3}, class_balance=[0.7, 0.3],
                          gen=gp, store_rows=300))

    # Hand-made edge cases.
    L = np.array([[0, 1, -1, 0], [1, 1, 0, -1], [-1, -1, -1, -1], [0, 0, 0, -1],
                  [1, -1, 1, -1], [0, 1, -1, -1], [-1, 0, 1, -1], [1, 1, 1, -1]])
    cases.append(fit_case("never_voting_lf", L, 2, {"seed": 0}))
    L = np.array([[0, 1, 0, 0], [1, 0, 1, 1], [0, 1, -1, 0], [1, 0, 1, -1], [-1, -1, 0, 1]] * 4)
    cases.append(fit_case("duplicate_lfs_and_ties", L, 2, {"seed": 1}))
    L = np.array([[0, 1, -1], [1, 0, -1], [-1, -1, -1], [0, -1, 1], [1, -1, 0]] * 3)
    cases.append(fit_case("ties_everywhere", L, 2, {"seed": 2}))
    L = np.array([[1, 1, 1], [1, 1, 1], [1, 1, -1], [1, -1, 1]] * 5)
    cases.append(fit_case("always_same_class", L, 2, {"seed": 0}))
    L = np.array([[0, 1], [1, 0]])
    cases.append(fit_case("m2_error", L, 2, {"seed": 0}))
    L = np.array([[0, 1, 2], [1, 0, 1]])
    cases.append(fit_case("label_ge_k_error", L, 2, {"seed": 0}))
    L = np.array([[0, 1, 1], [1, 0, 1]])
    cases.append(fit_case("zero_balance_error", L, 2, {"seed": 0}, class_balance=[1.0, 0.0]))
    return cases


# ---------------------------------------------------------------------------
# Labeling functions: an independent implementation of helix's rule semantics.

WS = b" \t\n\r\x0b\x0c"


def ascii_lower(b):
    return bytes(c + 32 if 65 <= c <= 90 else c for c in b)


def is_word_byte(c):
    return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95


def keyword_hit(text, kw, case_sensitive, whole_word):
    t = text if case_sensitive else ascii_lower(text)
    k = kw if case_sensitive else ascii_lower(kw)
    start = 0
    while True:
        i = t.find(k, start)
        if i < 0:
            return False
        if not whole_word:
            return True
        left_ok = i == 0 or not is_word_byte(t[i - 1])
        j = i + len(k)
        right_ok = j == len(t) or not is_word_byte(t[j])
        if left_ok and right_ok:
            return True
        start = i + 1


def apply_lf(lf, rec):
    v = rec.get(lf["field"])
    t = lf["type"]
    if t == "keyword":
        if not isinstance(v, str):
            return -1
        b = v.encode("utf-8")
        for kw in lf["keywords"]:
            if keyword_hit(b, kw.encode("utf-8"), lf.get("case_sensitive", False), lf.get("whole_word", False)):
                return lf["label"]
        return -1
    if t == "regex":
        if not isinstance(v, str):
            return -1
        flags = re.I if "i" in lf.get("flags", "") else 0
        return lf["label"] if re.search(lf["pattern"].encode(), v.encode("utf-8"), flags) else -1
    if t == "threshold":
        measure = lf.get("measure", "value")
        if measure == "value":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return -1
            x = float(v)
        elif measure == "chars":
            if not isinstance(v, str):
                return -1
            x = float(len(v))
        elif measure == "words":
            if not isinstance(v, str):
                return -1
            x = float(len(v.encode("utf-8").split()))
        op, c = lf["op"], float(lf["value"])
        ok = {"<": x < c, "<=": x <= c, ">": x > c, ">=": x >= c, "==": x == c, "!=": x != c}[op]
        return lf["label"] if ok else -1
    raise ValueError(t)


def youtube():
    recs, gold = [], []
    for fn in sorted(os.listdir(DATA)):
        if not fn.endswith(".csv"):
            continue
        video = fn[len("Youtube0x-"):-len(".csv")]
        with open(os.path.join(DATA, fn), newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                recs.append({"id": row["COMMENT_ID"], "video": video,
                             "year": int(row["DATE"][:4]) if row["DATE"][:4].isdigit() else None,
                             "text": row["CONTENT"]})
                gold.append(int(row["CLASS"]))
    for r in recs:
        if r["year"] is None:
            del r["year"]
    with open(os.path.join(OUT, "youtube.jsonl"), "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "youtube_lfs.json"), encoding="utf-8") as f:
        spec = json.load(f)
    lfs = spec["lfs"]
    L = np.array([[apply_lf(lf, r) for lf in lfs] for r in recs], dtype=np.int64)
    Y = np.array(gold, dtype=np.int64)
    with open(os.path.join(OUT, "youtube_L.csv"), "w") as f:
        f.write(",".join(lf["name"] for lf in lfs) + "\n")
        for row in L:
            f.write(",".join(str(int(v)) for v in row) + "\n")
    with open(os.path.join(OUT, "youtube_gold.csv"), "w") as f:
        f.write("gold\n")
        for y in Y:
            f.write(f"{int(y)}\n")

    kw = {"csv_name": "youtube_L.csv", "store_rows": len(L)}
    cases = [fit_case("youtube_default", L, 2, {"seed": 0}, **kw),
             fit_case("youtube_seed123_lr005", L, 2, {"seed": 123, "lr": 0.005, "n_epochs": 500}, **kw),
             fit_case("youtube_adam", L, 2, {"seed": 1, "optimizer": "adam", "lr": 0.01, "n_epochs": 200}, **kw),
             fit_case("youtube_balance", L, 2, {"seed": 0}, class_balance=[0.49, 0.51], **kw)]

    an = LFAnalysis(L)
    summ = an.lf_summary(Y=Y)
    analysis = {
        "coverage": float(an.label_coverage()), "overlap": float(an.label_overlap()),
        "conflict": float(an.label_conflict()),
        "polarities": [[int(x) for x in p] for p in an.lf_polarities()],
        "lf_coverages": [float(x) for x in an.lf_coverages()],
        "lf_overlaps": [float(x) for x in an.lf_overlaps()],
        "lf_conflicts": [float(x) for x in an.lf_conflicts()],
        "emp_acc": [float(x) for x in an.lf_empirical_accuracies(Y)],
        "correct": [int(x) for x in summ["Correct"]],
        "incorrect": [int(x) for x in summ["Incorrect"]],
    }
    mv = MajorityLabelVoter(cardinality=2)
    majority = {"proba": r10([float(v) for v in mv.predict_proba(L).reshape(-1)]),
                "pred_abstain": [int(v) for v in mv.predict(L, tie_break_policy="abstain")],
                "pred_random": [int(v) for v in mv.predict(L, tie_break_policy="random")]}
    return cases, analysis, majority


def permutation_cases():
    """snorkel's _break_col_permutation_symmetry on random one-LF models: fitted
    models practically never need a permutation, so the step is exercised
    directly (munkres on 2..10 classes, uniform and grouped priors, ties)."""
    rng = np.random.default_rng(5)
    cases = []
    specs = [(2, None), (2, None), (3, None), (3, [0.2, 0.4, 0.4]), (4, [0.3, 0.3, 0.2, 0.2]),
             (5, None), (8, None), (9, None), (10, None), (12, None), (3, "ties")]
    for k, bal in specs:
        lm = LabelModel(cardinality=k, verbose=False)
        if bal == "ties":
            mu = np.full((k, k), 0.25, dtype=np.float32)
            bal = None
        else:
            mu = rng.random((k, k)).astype(np.float32)
        p = np.array(bal) if bal is not None else np.full(k, 1.0 / k)
        lm.m = 1
        lm.P = torch.diag(torch.from_numpy(p)).float()
        lm.mu = torch.nn.Parameter(torch.from_numpy(mu.copy()))
        lm._break_col_permutation_symmetry()
        cases.append({"k": k, "p": p.tolist(), "mu": mu.astype(np.float64).reshape(-1).tolist(),
                      "mu_after": lm.mu.detach().numpy().astype(np.float64).reshape(-1).tolist()})
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {"snorkel": snorkel.__version__, "torch": torch.__version__, "numpy": np.__version__,
            "script": "tests/oracle/make_label_model_fixtures.py"}
    syn = synthetic_cases()
    with open(os.path.join(OUT, "synthetic.json"), "w") as f:
        json.dump({"meta": meta, "cases": syn}, f, separators=(",", ":"))
    yt_cases, analysis, majority = youtube()
    with open(os.path.join(OUT, "youtube.json"), "w") as f:
        json.dump({"meta": meta, "cases": yt_cases, "analysis": analysis, "majority": majority},
                  f, separators=(",", ":"))
    # The docstring examples of LFAnalysis and MajorityLabelVoter.
    L = np.array([[-1, 0, 0], [-1, -1, -1], [1, 0, -1], [-1, 0, -1], [0, 0, 0]])
    an = LFAnalysis(L)
    doc = {"L": L.reshape(-1).tolist(), "n": 5, "m": 3,
           "coverage": an.label_coverage(), "overlap": an.label_overlap(), "conflict": an.label_conflict(),
           "lf_coverages": an.lf_coverages().tolist(), "lf_overlaps": an.lf_overlaps().tolist(),
           "lf_conflicts": an.lf_conflicts().tolist(),
           "polarities": [[int(x) for x in p] for p in an.lf_polarities()]}
    Lm = np.array([[0, 0, -1], [-1, 0, 1], [1, -1, 0]])
    doc["majority_L"] = Lm.reshape(-1).tolist()
    doc["majority_proba"] = MajorityLabelVoter(cardinality=2).predict_proba(Lm).reshape(-1).tolist()
    mc = []
    for bal in ([0.3, 0.7], [0.4, 0.4, 0.2], [0.25, 0.25, 0.25, 0.25]):
        v = MajorityClassVoter(cardinality=len(bal))
        v.fit(balance=np.array(bal))
        mc.append({"balance": bal, "proba": v.predict_proba(Lm).reshape(-1).tolist()})
    doc["majority_class"] = mc
    doc["permutations"] = permutation_cases()
    with open(os.path.join(OUT, "docstring.json"), "w") as f:
        json.dump({"meta": meta, **doc}, f)
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
