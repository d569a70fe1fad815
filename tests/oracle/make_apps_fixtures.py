"""Fixtures for the application pieces of helix (tests/fixtures/apps/):

  text_features.jsonl      texts with their helix-bow-v1 count and TF-IDF
                           features, from scikit-learn's CountVectorizer /
                           TfidfTransformer (float64) and from the training
                           featurizer (tools/train/common.py, float32 bits)
  text_features_model.json the two featurizers ({"counts": ..., "tfidf": ...})
  text_forest.forest.json  a small forest on the tfidf features (feature names =
                           vocabulary); forest_p in text_features.jsonl is its
                           predict_proba on each text
  hpo_subset.json          an obographs file cut out of hp.json 2024-04-26:
                           the ancestor closure of the terms of the phenopackets
                           below, the obsolete terms that replace into it, plus
                           hostile nodes/edges (non-HP ids, duplicates)
  hpo_expected.json        parents and ancestor closures of every term, and
                           resolutions of chosen ids, from a plain-Python walk
                           over the JSON written here (no helix code)
  phenopackets.jsonl       real phenopacket-store records, one per line, then
                           malformed ones
  phenopackets_expected.jsonl  what tools/train/phenopacket.py reads from each
                           (or "error"), with the ancestor closure of the
                           observed terms in hpo_subset.json
  udp_<target>.forest.json small scikit-learn forests (tools/export_sklearn_forest.py
                           dumps, feature names = HPO ids of hpo_subset.json)
                           trained on every phenopacket of the store
  udp_expected.jsonl       per line of phenopackets.jsonl: predict_proba of each
                           forest on the features computed by the plain walk, or
                           "error"; udp_table.json: the --evaluate tallies
  triage_slice.jsonl       (with --triage, after tools/train has run) the first
                           40 test-split abstracts plus malformed lines
  triage_expected.jsonl    per line: the votes (tools/train/apply_lfs.py; forest
                           and BERT P(1) >= 0.5), each model's P(1) (scikit-learn
                           on tools/train/common.py features; PyTorch BERT), and
                           P(positive) of snorkel's LabelModel fitted on the dev
                           votes with seed 123; triage_table.json: snorkel's
                           LabelModel / MajorityLabelVoter on every source subset
                           of the slice, scored against gold

Run with /work/venv/bin/python from the repository root; reads
/work/shared/data. Deterministic.
"""
import gzip
import json
import os
import sys
import tarfile

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
import common  # noqa: E402
import phenopacket as pp  # noqa: E402

SHARED = os.environ.get("HELIX_SHARED_DATA", "/work/shared/data")
OUT = os.path.join(ROOT, "tests", "fixtures", "apps")
IRI = "http://purl.obolibrary.org/obo/HP_"
ALT = "http://www.geneontology.org/formats/oboInOwl#hasAlternativeId"
REP = "http://purl.obolibrary.org/obo/IAO_0100001"


def ascii_lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


# ------------------------------------------------------------------ text
def text_fixtures():
    sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
    hoc = __import__("prepare_abstracts").load_hoc()
    test = [r["text"] for r in hoc if common.split_of_pmid(r["pmid"]) == "test"][:24]
    train = [r["text"] for r in hoc if common.split_of_pmid(r["pmid"]) == "train"]
    edge = ["", "A", "AB", "ab ab AB aB", "DNA-repair p53/TP53 BRCA1 and brca2",
            "na\u00efve caf\u00e9 Gr\u00f6\u00dfe dna\u00e9dna \u212aelvin \u0130stanbul",
            "x1 1x 12 123 a1b2c3", "tab\tnew\nline\rreturn",
            "mutation " * 50, "\u4e2d\u6587 dna \U0001F600 repair"]
    texts = edge + test
    feats = {"counts": common.fit_featurizer(train, "counts", 150),
             "tfidf": common.fit_featurizer(train, "tfidf", 300)}
    with open(os.path.join(OUT, "text_features_model.json"), "w") as f:
        json.dump(feats, f)
    rows = []
    # the oracle: scikit-learn with the same token rule, ASCII-only lowering
    common_args = dict(preprocessor=ascii_lower, lowercase=False, token_pattern=r"[a-z0-9]{2,}")
    cv_c = CountVectorizer(vocabulary={t: j for j, t in enumerate(feats["counts"]["vocab"])}, **common_args)
    Xc = cv_c.transform(texts).toarray()
    cv_t = CountVectorizer(vocabulary={t: j for j, t in enumerate(feats["tfidf"]["vocab"])}, **common_args)
    tt = TfidfTransformer(norm="l2", use_idf=True)
    tt.fit(cv_t.transform(train))  # fits idf_; the stored idf must be the same numbers
    assert np.allclose(tt.idf_, feats["tfidf"]["idf"], rtol=1e-12, atol=0)
    Xt = tt.transform(cv_t.transform(texts)).toarray()
    Pc = common.featurize(texts, feats["counts"])
    Pt = common.featurize(texts, feats["tfidf"])
    assert np.array_equal(Pc, Xc.astype(np.float32))
    assert np.allclose(Pt, Xt, rtol=1e-6, atol=1e-9)
    # a small forest over the tfidf features (feature names = vocabulary), to
    # check features + forest end to end against scikit-learn
    from sklearn.ensemble import RandomForestClassifier
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from export_sklearn_forest import write_dump
    labels = [r["label"] for r in hoc if common.split_of_pmid(r["pmid"]) == "train"]
    rf = RandomForestClassifier(n_estimators=6, max_depth=6, random_state=5)
    rf.fit(common.featurize(train, feats["tfidf"]), labels)
    rf.feature_names_in_ = np.array(feats["tfidf"]["vocab"], dtype=object)
    write_dump(rf, os.path.join(OUT, "text_forest.forest.json"))
    import warnings
    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    forest_p = rf.predict_proba(Pt)[:, 1]
    for i, t in enumerate(texts):
        nzc = [[int(j), int(Xc[i, j])] for j in np.nonzero(Xc[i])[0]]
        nzt = [[int(j), float(Xt[i, j]), int(Pt[i, j].view(np.uint32))] for j in np.nonzero(Xt[i])[0]]
        rows.append({"text": t, "counts": nzc, "tfidf": nzt, "forest_p": float(forest_p[i])})
    with open(os.path.join(OUT, "text_features.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    print("text: %d texts" % len(rows))


# ------------------------------------------------------------------ phenopackets
def pick_phenopackets():
    """A deterministic, varied handful of real records: scan in file-name order
    and take the first records showing each trait."""
    tf = tarfile.open(os.path.join(SHARED, "phenopackets", "phenopacket-store-b694d17.tar.xz"))
    recs = []
    for m in tf:
        if m.isfile() and m.name.endswith(".json") and "/phenopackets/" in m.name:
            recs.append((m.name, tf.extractfile(m).read().decode("utf-8")))
    recs.sort()
    hp = load_hp()
    traits = {
        "structural": lambda d, p: any(k == "structural" for k, _ in p["variants"]),
        "two_variants": lambda d, p: len(p["variants"]) >= 2,
        "homozygous": lambda d, p: any(s == "homozygous" for _, s in p["variants"]),
        "hemizygous": lambda d, p: any(s == "hemizygous" for _, s in p["variants"]),
        "gestational": lambda d, p: "gestationalAge" in d.get("subject", {}).get("timeAtLastEncounter", {}),
        "age_class": lambda d, p: "ontologyClass" in d.get("subject", {}).get("timeAtLastEncounter", {}),
        "no_age": lambda d, p: "timeAtLastEncounter" not in d.get("subject", {}),
        "adult": lambda d, p: p["age"] is not None and p["age"] >= 18,
        "age_days": lambda d, p: "D" in d.get("subject", {}).get("timeAtLastEncounter", {}).get("age", {}).get("iso8601duration", ""),
        "unknown_sex": lambda d, p: p["sex"] == "UNKNOWN_SEX",
        "newer_term": lambda d, p: any(t not in hp["ids"] and t not in hp["alt"] for t in p["observed"]),
        "alt_term": lambda d, p: any(t in hp["alt"] and t not in hp["ids"] for t in p["observed"]),
        "obsolete_term": lambda d, p: any(t in hp["obsolete"] for t in p["observed"]),
        "no_features": lambda d, p: not p["observed"],
    }
    chosen, seen = [], set()
    for name, text in recs:
        d = json.loads(text)
        p = pp.parse(d)
        got = [k for k, f in traits.items() if k not in seen and f(d, p)]
        if got:
            seen.update(got)
            chosen.append((name, json.dumps(d, separators=(",", ":"), ensure_ascii=False), got))
    # sanity: the reading agrees with the counts published in PROVENANCE.md
    sexes, iso, ped, adult = {}, 0, 0, 0
    for _, text in recs:
        p = pp.parse(json.loads(text))
        sexes[p["sex"]] = sexes.get(p["sex"], 0) + 1
        iso += "age" in json.loads(text).get("subject", {}).get("timeAtLastEncounter", {})
        if p["age"] is not None:
            ped += p["age"] < 18
            adult += p["age"] >= 18
    # PROVENANCE.md: 8,032 ISO ages; 5,127 under 18 (gestational ages included), 2,943 adults
    assert sexes == {"MALE": 5154, "FEMALE": 4586, "OTHER_SEX": 1, "UNKNOWN_SEX": 839}, sexes
    assert (iso, ped, adult) == (8032, 5127, 2943), (iso, ped, adult)
    return chosen, hp, recs


def load_hp():
    with gzip.open(os.path.join(SHARED, "hpo", "hp.v2024-04-26.json.gz"), "rt", encoding="utf-8") as f:
        g = json.load(f)["graphs"][0]
    ids, alt, obsolete, rep = set(), {}, set(), {}
    for n in g["nodes"]:
        if n["id"].startswith(IRI) and n.get("type") == "CLASS":
            t = "HP:" + n["id"][len(IRI):]
            ids.add(t)
            meta = n.get("meta", {})
            if meta.get("deprecated"):
                obsolete.add(t)
            for b in meta.get("basicPropertyValues", []):
                if b["pred"] == ALT:
                    alt[b["val"]] = t
                if b["pred"] == REP:
                    rep[t] = b["val"]
    return {"graph": g, "ids": ids, "alt": alt, "obsolete": obsolete, "rep": rep}


def cut_ontology(hp, seeds):
    """Nodes: the is_a closure of the seeds (after alt/replacement), the
    obsolete terms whose replacement lies inside, trimmed to what the reader
    uses; then a few hostile additions."""
    g = hp["graph"]
    parents = {}
    for e in g["edges"]:
        parents.setdefault(e["sub"], []).append(e["obj"])
    keep, stack = set(), []
    for t in seeds:
        t = hp["alt"].get(t, t) if t not in hp["ids"] else t
        while t in hp["obsolete"] and t in hp["rep"]:
            t = hp["rep"][t]
        if t in hp["ids"]:
            stack.append(IRI + t[3:])
    while stack:
        u = stack.pop()
        if u in keep:
            continue
        keep.add(u)
        stack.extend(parents.get(u, []))
    for t, r in sorted(hp["rep"].items()):
        if IRI + r[3:] in keep:
            keep.add(IRI + t[3:])
    no_rep = sorted(t for t in hp["obsolete"] if t not in hp["rep"])[:3]
    keep.update(IRI + t[3:] for t in no_rep)
    nodes = []
    for n in g["nodes"]:
        if n["id"] in keep:
            m = n.get("meta", {})
            meta = {}
            if m.get("deprecated"):
                meta["deprecated"] = True
            bpv = [b for b in m.get("basicPropertyValues", []) if b["pred"] in (ALT, REP)]
            bpv.append({"pred": "http://purl.org/dc/terms/creator", "val": "x"})
            meta["basicPropertyValues"] = bpv
            nodes.append({"id": n["id"], "lbl": n.get("lbl", ""), "type": n["type"], "meta": meta})
    edges = [e for e in g["edges"] if e["sub"] in keep and e["obj"] in keep]
    # hostile / irrelevant additions the reader must skip
    nodes.append({"id": "http://purl.obolibrary.org/obo/UBERON_0000001", "lbl": "not HP", "type": "CLASS"})
    nodes.append({"id": IRI + "0000001x", "lbl": "bad id", "type": "CLASS"})
    nodes.append({"id": "http://purl.obolibrary.org/obo/hp#layperson", "type": "PROPERTY"})
    nodes.append({"id": IRI + "9999990", "lbl": "typeless"})
    dep = lambda i, r: {"id": IRI + i, "lbl": "obsolete", "type": "CLASS", "meta": {"deprecated": True,
                        "basicPropertyValues": [{"pred": REP, "val": "HP:" + r}]}}
    nodes += [dep("8888881", "8888882"), dep("8888882", "8888881"),     # a replacement cycle
              dep("8888883", "8888884"), dep("8888884", "0000118"),     # a chain to a live term
              dep("8888885", "8888886"),                                # to an id that is nowhere
              {"id": IRI + "8888887", "lbl": "obsolete with alt", "type": "CLASS",
               "meta": {"deprecated": True, "basicPropertyValues": [
                   {"pred": ALT, "val": "HP:8888888"}, {"pred": REP, "val": "HP:0000118"}]}}]
    edges.append(dict(edges[0]))  # a duplicate edge
    edges.append({"sub": edges[1]["sub"], "pred": "http://purl.obolibrary.org/obo/BFO_0000050", "obj": IRI + "0000001"})
    edges.append({"sub": IRI + "0000118", "pred": "is_a", "obj": "http://purl.obolibrary.org/obo/UBERON_0000001"})
    edges.append({"sub": IRI + "7777777", "pred": "is_a", "obj": IRI + "0000001"})
    return {"graphs": [{"id": "http://purl.obolibrary.org/obo/hp.json",
                        "meta": {"version": g["meta"]["version"]}, "nodes": nodes, "edges": edges}]}


def closure_oracle(doc):
    """A plain walk over the JSON written above (independent of helix and of
    tools/train/hpo.py)."""
    g = doc["graphs"][0]
    terms, obsolete, alt, rep = [], set(), {}, {}
    for n in g["nodes"]:
        i = n.get("id", "")
        if n.get("type") == "CLASS" and i.startswith(IRI) and len(i) == len(IRI) + 7 and i[len(IRI):].isdigit():
            t = "HP:" + i[len(IRI):]
            terms.append(t)
            for b in n.get("meta", {}).get("basicPropertyValues", []):
                if b["pred"] == ALT:
                    alt[b["val"]] = t
                elif b["pred"] == REP:
                    rep[t] = b["val"]
            if n.get("meta", {}).get("deprecated"):
                obsolete.add(t)
    tset = set(terms)
    par = {t: [] for t in terms}
    for e in g["edges"]:
        if e["pred"] != "is_a":
            continue
        s, o = "HP:" + e["sub"][len(IRI):], "HP:" + e["obj"][len(IRI):]
        if e["sub"].startswith(IRI) and e["obj"].startswith(IRI) and s in tset and o in tset and o not in par[s]:
            par[s].append(o)

    def anc(t):
        seen, st = set(), [t]
        while st:
            u = st.pop()
            if u not in seen:
                seen.add(u)
                st.extend(par[u])
        return sorted(seen)

    def resolve(q):
        if q.startswith(IRI):
            q = "HP:" + q[len(IRI):]
        if not (q.startswith("HP:") and len(q) == 10 and q[3:].isdigit()):
            return None, "malformed"
        how = "current"
        for hop in range(17):
            if q not in tset:
                if q not in alt:
                    return None, "unknown" if hop == 0 else "obsolete"
                q = alt[q]
                if q not in obsolete:
                    return q, "alt_id" if how == "current" else how
            elif q not in obsolete:
                return q, how
            if q not in rep:
                return None, "obsolete"
            q, how = rep[q], "replaced"
        return None, "obsolete"

    return terms, obsolete, par, anc, resolve, alt, rep


UDP_TARGETS = ["male", "pediatric", "structural_variant", "biallelic"]


def udp_fixtures(recs, lines, subset_terms, subset_obsolete, resolve, anc):
    """Small forests on the subset's terms, trained on the whole store with the
    full ontology (tools/train/hpo.py); expected outputs from scikit-learn on
    features built with the independent walk over the subset."""
    from sklearn.ensemble import RandomForestClassifier
    import hpo as hpo_mod
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from export_sklearn_forest import write_dump
    full = hpo_mod.Ontology(os.path.join(SHARED, "hpo", "hp.v2024-04-26.json.gz"))
    pats = []
    for _, text in recs:
        p = pp.parse(json.loads(text))
        terms = set()
        for t in p["observed"]:
            live, _ = full.resolve(t)
            if live is not None:
                terms |= full.ancestors(live)
        pats.append((terms, pp.targets(p)))
    live = [t for t in subset_terms if t not in subset_obsolete]
    support = {t: sum(t in s for s, _ in pats) for t in live}
    feats = sorted(t for t in live if support[t] >= 30)
    idx = {t: j for j, t in enumerate(feats)}

    def X(term_sets):
        a = np.zeros((len(term_sets), len(feats)), dtype=np.float32)
        for i, s in enumerate(term_sets):
            for t in s:
                if t in idx:
                    a[i, idx[t]] = 1.0
        return a

    forests = {}
    for k, name in enumerate(UDP_TARGETS):
        rows = [(s, tg[name]) for s, tg in pats if tg[name] is not None]
        rf = RandomForestClassifier(n_estimators=8, max_depth=6, min_samples_leaf=5, random_state=200 + k)
        rf.fit(X([s for s, _ in rows]), np.array([y for _, y in rows]))
        rf.feature_names_in_ = np.array(feats, dtype=object)
        write_dump(rf, os.path.join(OUT, "udp_%s.forest.json" % name))
        forests[name] = rf
    tally = {n: {"n": 0, "correct": 0, "ones": 0} for n in UDP_TARGETS}
    with open(os.path.join(OUT, "udp_expected.jsonl"), "w") as f:
        for l in lines:
            try:
                p = pp.parse(json.loads(l))
            except (pp.Malformed, ValueError):
                f.write(json.dumps({"error": True}) + "\n")
                continue
            closure, unresolved = set(), {}
            for t in p["observed"]:
                lv, how = resolve(t)
                if lv is None:
                    unresolved[t] = how
                else:
                    closure.update(anc(lv))
            x = X([closure])
            prob = {}
            for name in UDP_TARGETS:
                rf = forests[name]
                pr = rf.predict_proba(x)[0]
                prob[name] = float(pr[list(rf.classes_).index(1)])
                y = pp.targets(p)[name]
                if y is not None:
                    tally[name]["n"] += 1
                    tally[name]["ones"] += y
                    tally[name]["correct"] += int((prob[name] >= 0.5) == (y == 1))
            f.write(json.dumps({"id": p["id"], "p": prob, "unresolved": unresolved}) + "\n")
    with open(os.path.join(OUT, "udp_table.json"), "w") as f:
        json.dump(tally, f)
    print("udp: %d features, forests of %s nodes" %
          (len(feats), [sum(e.tree_.node_count for e in forests[n].estimators_) for n in UDP_TARGETS]))


def triage_fixtures():
    import pickle
    import torch
    import torch.nn.functional as F
    from snorkel.labeling.model import LabelModel, MajorityLabelVoter
    import train_forests
    from apply_lfs import compile_rules, vote
    from bert_model import BertForSequenceClassification, load_tokenizer, pad_batch
    from safetensors.torch import load_file
    torch.set_num_threads(1)
    cfg = json.load(open(os.path.join(ROOT, "models", "triage.json")))
    rules = json.load(open(os.path.join(ROOT, "models", cfg["lfs"])))
    compiled = compile_rules(rules)
    test = common.read_jsonl(common.out_path("abstracts", "hoc_test.jsonl"))[:40]
    lines = [json.dumps(r) for r in test]
    lines.insert(5, "not json at all")
    lines.insert(9, json.dumps({"pmid": "1", "label": 1}))
    lines.insert(13, json.dumps({"pmid": "2", "text": 5}))
    lines.insert(17, "[1, 2]")
    lines.insert(21, json.dumps({"id": "no-gold", "text": test[0]["text"]}))
    forests = []
    for f in cfg["forests"]:
        name = f["name"]
        rf = pickle.load(open(common.out_path("forests", name + ".pkl"), "rb"))
        feat = json.load(open(common.out_path("forests", name + ".features.json")))
        forests.append((name, rf, feat))
    berts = []
    for b in cfg["berts"]:
        d = common.out_path("bert", b["name"], "config.json").rsplit("/", 1)[0]
        c = json.load(open(os.path.join(d, "config.json")))
        m = BertForSequenceClassification(c)
        m.load_state_dict(load_file(os.path.join(d, "model.safetensors")))
        m.eval()
        berts.append((b["name"], m, load_tokenizer(common.TOKENIZER_JSON, b["max_len"])))
    L_dev = np.loadtxt(common.out_path("triage", "L_dev.csv"), delimiter=",", skiprows=1, dtype=int)
    lm = LabelModel(cardinality=2, verbose=False)
    lm.fit(L_dev, seed=123, progress_bar=False)
    exp, L_rows, gold, p_bundled = [], [], [], []
    for l in lines:
        try:
            r = json.loads(l)
        except ValueError:
            exp.append({"error": True})
            continue
        if not isinstance(r, dict) or not isinstance(r.get("text"), str):
            exp.append({"error": True})
            continue
        votes = vote(compiled, r)
        sp, margin = {}, {}
        for name, rf, feat in forests:
            pr = rf.predict_proba(common.featurize([r["text"]], feat))[0]
            sp[name] = float(pr[list(rf.classes_).index(1)])
            votes.append(int(sp[name] >= 0.5))
        for name, m, tok in berts:
            ids, attn = pad_batch([tok.encode(r["text"]).ids])
            with torch.no_grad():
                logits = m(ids, attn)[0]
            sp[name] = float(F.softmax(logits.double(), dim=-1)[1])
            votes.append(int(sp[name] >= 0.5))
        p = float(lm.predict_proba(np.array([votes]))[0, 1])
        exp.append({"votes": votes, "source_p": sp, "p": p})
        if r.get("label") in (0, 1):
            L_rows.append(votes)
            gold.append(r["label"])
            p_bundled.append(p)
    with open(os.path.join(OUT, "triage_slice.jsonl"), "w") as f:
        for l in lines:
            f.write(l + "\n")
    with open(os.path.join(OUT, "triage_expected.jsonl"), "w") as f:
        for e in exp:
            f.write(json.dumps(e) + "\n")
    L = np.array(L_rows)
    y = np.array(gold)
    n_lf = len(rules["lfs"])
    groups = [list(range(n_lf)), list(range(n_lf, n_lf + len(forests))),
              list(range(n_lf + len(forests), L.shape[1]))]

    def conf(pred):
        keep = pred != -1
        tp = int(((pred == 1) & (y == 1)).sum()); fp = int(((pred == 1) & (y == 0)).sum())
        fn = int(((pred == 0) & (y == 1)).sum()); tn = int(((pred == 0) & (y == 0)).sum())
        return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "abstained": int((~keep).sum()), "total": len(y)}

    table = {}
    for mask in range(1, 8):
        cols = [c for g in range(3) if mask >> g & 1 for c in groups[g]]
        sub = L[:, cols]
        m = LabelModel(cardinality=2, verbose=False)
        m.fit(sub, seed=123, progress_bar=False)
        table["%d/label model" % mask] = conf(m.predict(sub, tie_break_policy="abstain"))
        table["%d/majority vote" % mask] = conf(MajorityLabelVoter(cardinality=2).predict(sub, tie_break_policy="abstain"))
    table["7/bundled LM"] = conf((np.array(p_bundled) >= 0.5).astype(int))
    with open(os.path.join(OUT, "triage_table.json"), "w") as f:
        json.dump(table, f, indent=0)
    print("triage: %d lines (%d labelled), sources %d" % (len(lines), len(y), L.shape[1]))


def main():
    os.makedirs(OUT, exist_ok=True)
    if sys.argv[1:] == ["--triage"]:
        triage_fixtures()
        return
    text_fixtures()
    chosen, hp, recs = pick_phenopackets()
    parsed = [pp.parse(json.loads(j)) for _, j, _ in chosen]
    seeds = sorted({t for p in parsed for t in p["observed"] + p["excluded"]})
    doc = cut_ontology(hp, seeds)
    with open(os.path.join(OUT, "hpo_subset.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    terms, obsolete, par, anc, resolve, alt, rep = closure_oracle(doc)
    queries = seeds + sorted(alt)[:10] + sorted(rep)[:10] + [
        "HP:0000001", IRI + "0000118", "HP:9999999", "HP:000001", "HP:00000011", "hp:0000001",
        "HP:000000x", "", "HP:", "HP:7777777", "UBERON:0000001",
        "HP:8888881", "HP:8888883", "HP:8888885", "HP:8888888", "HP:8888887"] + \
        sorted(t for t in obsolete if t not in rep)
    exp = {"version": doc["graphs"][0]["meta"]["version"], "n_terms": len(terms),
           "terms": [{"id": t, "obsolete": t in obsolete, "parents": sorted(par[t]), "ancestors": anc(t)}
                     for t in terms],
           "resolve": [{"q": q, "term": resolve(q)[0], "how": resolve(q)[1]} for q in queries]}
    with open(os.path.join(OUT, "hpo_expected.json"), "w") as f:
        json.dump(exp, f, separators=(",", ":"))
    print("hpo: %d terms, %d resolutions (%s)" % (len(terms), len(queries),
          sorted({r["how"] for r in exp["resolve"]})))

    lines = [j for _, j, _ in chosen]
    alt_ids = sorted(a for a in alt if alt[a] not in obsolete)
    rep_ids = sorted(r for r in rep if resolve(r)[0] is not None)
    base = json.loads(lines[0])
    bad = []
    def mutate(f):
        d = json.loads(json.dumps(base))
        f(d)
        return json.dumps(d, separators=(",", ":"))
    bad.append('{"id": "broken", "subject": ')
    bad.append(mutate(lambda d: d.pop("id")))
    bad.append(mutate(lambda d: d["subject"].__setitem__("sex", 1)))
    bad.append(mutate(lambda d: d["subject"].__setitem__("sex", "M")))
    bad.append(mutate(lambda d: d.__setitem__("phenotypicFeatures", {"a": 1})))
    bad.append(mutate(lambda d: d["phenotypicFeatures"][0].__setitem__("excluded", "yes")))
    bad.append(mutate(lambda d: d["phenotypicFeatures"][0]["type"].pop("id")))
    bad.append(mutate(lambda d: d["subject"]["timeAtLastEncounter"]["age"].__setitem__("iso8601duration", "P3Q")))
    bad.append(mutate(lambda d: d["subject"]["timeAtLastEncounter"]["age"].__setitem__("iso8601duration", "P1234567890Y")))
    bad.append(mutate(lambda d: d.__setitem__("interpretations", [1])))
    bad.append("[1, 2, 3]")
    # odd but valid: unknown and malformed HP ids, PT durations, empty interpretation
    ok_odd = [
        mutate(lambda d: d["phenotypicFeatures"].append({"type": {"id": "HP:9999999"}})),
        mutate(lambda d: d["phenotypicFeatures"].append({"type": {"id": "NOT-AN-ID"}})),
        mutate(lambda d: d["subject"]["timeAtLastEncounter"]["age"].__setitem__("iso8601duration", "PT36H")),
        mutate(lambda d: d["subject"]["timeAtLastEncounter"]["age"].__setitem__("iso8601duration", "P17Y11M4W3D")),
        mutate(lambda d: d["subject"]["timeAtLastEncounter"]["age"].__setitem__("iso8601duration", "P18Y")),
        mutate(lambda d: d.__setitem__("interpretations", [{"diagnosis": {"genomicInterpretations": [{"variantInterpretation": {}}]}}])),
        mutate(lambda d: d["phenotypicFeatures"].extend(
            [{"type": {"id": a}} for a in alt_ids[:2]] + [{"type": {"id": r}} for r in rep_ids[:2]] +
            [{"type": {"id": "HP:8888881"}}, {"type": {"id": "HP:8888888"}}])),
    ]
    all_lines = lines + ok_odd + bad
    with open(os.path.join(OUT, "phenopackets.jsonl"), "w") as f:
        for l in all_lines:
            f.write(l + "\n")
    with open(os.path.join(OUT, "phenopackets_expected.jsonl"), "w") as f:
        for l in all_lines:
            try:
                p = pp.parse(json.loads(l))
            except (pp.Malformed, ValueError) as e:
                f.write(json.dumps({"error": True}) + "\n")
                continue
            closure, unresolved = set(), []
            for t in p["observed"]:
                live, how = resolve(t)
                if live is None:
                    unresolved.append(t)
                else:
                    closure.update(anc(live))
            f.write(json.dumps({"id": p["id"], "sex": p["sex"], "age": p["age"],
                                "observed": p["observed"], "excluded": p["excluded"],
                                "variants": [list(v) for v in p["variants"]],
                                "targets": pp.targets(p), "ancestors": sorted(closure),
                                "unresolved": unresolved}) + "\n")
    udp_fixtures(recs, all_lines, terms, obsolete, resolve, anc)
    print("phenopackets: %d real (%s), %d odd, %d malformed" %
          (len(lines), ",".join(t for _, _, g in chosen for t in g), len(ok_odd), len(bad)))


if __name__ == "__main__":
    main()
