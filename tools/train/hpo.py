"""The Human Phenotype Ontology from its obographs JSON (hp.json), read with
nothing but the json module: the reference that pipelines/hpo.c follows
(docs/udp-task.md, "Ontology").

- a term is a node whose id is http://purl.obolibrary.org/obo/HP_<digits>
  (written HP:<digits>) and whose type is CLASS;
- obsolete: meta.deprecated is true; its replacement is the value of the
  basic property IAO_0100001 ("term replaced by");
- alternative ids: values of oboInOwl#hasAlternativeId on a term;
- parents: edges with pred "is_a" (sub is_a obj) between two terms.
"""
import gzip
import json
import re

IRI = "http://purl.obolibrary.org/obo/HP_"
REPLACED_BY = "http://purl.obolibrary.org/obo/IAO_0100001"
ALT_ID = "http://www.geneontology.org/formats/oboInOwl#hasAlternativeId"
IRI_RE = r"http://purl\.obolibrary\.org/obo/HP_[0-9]{7}"


def curie(s):
    if s.startswith(IRI):
        return "HP:" + s[len(IRI):]
    return s


class Ontology:
    def __init__(self, path):
        op = gzip.open if path.endswith(".gz") else open
        with op(path, "rt", encoding="utf-8") as f:
            g = json.load(f)["graphs"][0]
        self.version = g.get("meta", {}).get("version", "")
        self.label, self.obsolete, self.replaced_by, self.alt = {}, set(), {}, {}
        self.parents = {}
        for n in g["nodes"]:
            if not re.fullmatch(IRI_RE, n.get("id", "")) or n.get("type") != "CLASS":
                continue
            t = curie(n["id"])
            meta = n.get("meta", {})
            self.label[t] = n.get("lbl", "")
            self.parents[t] = []
            if meta.get("deprecated"):
                self.obsolete.add(t)
            for bp in meta.get("basicPropertyValues", []):
                if bp["pred"] == REPLACED_BY:
                    self.replaced_by[t] = curie(bp["val"])
                elif bp["pred"] == ALT_ID:
                    self.alt[curie(bp["val"])] = t
        for e in g["edges"]:
            if e.get("pred") != "is_a":
                continue
            s, o = curie(e["sub"]), curie(e["obj"])
            if s in self.parents and o in self.parents and o not in self.parents[s]:
                self.parents[s].append(o)
        self._anc = {}

    def resolve(self, t):
        """(live id, how) with how in "current", "alt_id", "replaced", or
        (None, "obsolete") / (None, "unknown")."""
        if not re.fullmatch(r"HP:[0-9]{7}", t):
            if not re.fullmatch(IRI_RE, t):
                return None, "malformed"
            t = curie(t)
        how = "current"
        for hop in range(17):  # at most 16 replacement hops
            if t not in self.parents:
                owner = self.alt.get(t)
                if owner is None:
                    # a replacement that names nothing known leaves the term obsolete
                    return (None, "unknown") if hop == 0 else (None, "obsolete")
                if owner not in self.obsolete:
                    return owner, ("alt_id" if how == "current" else how)
                t = owner
            elif t not in self.obsolete:
                return t, how
            if t not in self.replaced_by:
                return None, "obsolete"
            t, how = self.replaced_by[t], "replaced"
        return None, "obsolete"

    def ancestors(self, t):
        """The term and every term above it by is_a (the reflexive closure)."""
        a = self._anc.get(t)
        if a is None:
            a, stack = {t}, [t]
            while stack:
                for p in self.parents[stack.pop()]:
                    if p not in a:
                        a.add(p)
                        stack.append(p)
            a = frozenset(a)
            self._anc[t] = a
        return a
