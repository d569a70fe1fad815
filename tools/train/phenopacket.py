"""GA4GH phenopacket (schema v2) fields the UDP task uses, read as
pipelines/phenopacket.c reads them (docs/udp-task.md, "Record"):

  id        "id" (string, required)
  sex       subject.sex: MALE, FEMALE, OTHER_SEX, UNKNOWN_SEX (absent = UNKNOWN_SEX)
  age       subject.timeAtLastEncounter.age.iso8601duration "PnYnMnWnD" (a
            well-formed T-part adds nothing) -> years = Y + M/12 + W*7/365.25 + D/365.25,
            in double, added in that order; gestationalAge -> 0 (before birth);
            anything else -> unknown
  observed  phenotypicFeatures[].type.id with excluded absent or false
  excluded  phenotypicFeatures[].type.id with excluded true
  variants  interpretations[].diagnosis.genomicInterpretations[].variantInterpretation
            .variationDescriptor: "structural" if it has structuralType, else
            "small" if it has vcfRecord, else "other"; allelicState.label kept
"""
import re

DUR = re.compile(r"P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?"
                 r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?")


class Malformed(Exception):
    pass


def parse_duration(s):
    """Y, M, W, D counts (at most 9 digits each); a time part (T...) must be
    well formed and adds nothing; an empty duration ("P", "PT") is malformed."""
    m = DUR.fullmatch(s)
    if not m or s in ("P", "PT") or any(g and len(g) > 9 for g in m.groups()):
        raise Malformed("bad iso8601duration")
    y, mo, w, d = (int(g) if g else 0 for g in m.groups()[:4])
    return y + mo / 12.0 + w * 7 / 365.25 + d / 365.25


def _obj(d, key, where):
    v = d.get(key)
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise Malformed(where + " is not an object")
    return v


def _arr(d, key, where):
    v = d.get(key)
    if v is None:
        return []
    if not isinstance(v, list):
        raise Malformed(where + " is not an array")
    return v


def parse(d):
    if not isinstance(d, dict):
        raise Malformed("record is not a JSON object")
    if not isinstance(d.get("id"), str):
        raise Malformed("missing id")
    subj = _obj(d, "subject", "subject")
    sex = subj.get("sex", "UNKNOWN_SEX")
    if sex not in ("MALE", "FEMALE", "OTHER_SEX", "UNKNOWN_SEX"):
        raise Malformed("bad subject.sex")
    age = None
    t = _obj(subj, "timeAtLastEncounter", "subject.timeAtLastEncounter")
    if t.get("age") is not None:
        dur = _obj(t, "age", "timeAtLastEncounter.age").get("iso8601duration")
        if not isinstance(dur, str):
            raise Malformed("missing iso8601duration")
        age = parse_duration(dur)
    elif "gestationalAge" in t:
        age = 0.0
    observed, excluded = [], []
    for pf in _arr(d, "phenotypicFeatures", "phenotypicFeatures"):
        if not isinstance(pf, dict):
            raise Malformed("phenotypicFeatures entry is not an object")
        tid = _obj(pf, "type", "phenotypicFeatures[].type").get("id")
        if not isinstance(tid, str):
            raise Malformed("phenotypicFeatures[].type.id missing")
        ex = pf.get("excluded", False)
        if not isinstance(ex, bool):
            raise Malformed("phenotypicFeatures[].excluded is not a boolean")
        (excluded if ex else observed).append(tid)
    variants = []
    for it in _arr(d, "interpretations", "interpretations"):
        if not isinstance(it, dict):
            raise Malformed("interpretations entry is not an object")
        diag = _obj(it, "diagnosis", "interpretations[].diagnosis")
        for gi in _arr(diag, "genomicInterpretations", "genomicInterpretations"):
            if not isinstance(gi, dict):
                raise Malformed("genomicInterpretations entry is not an object")
            if gi.get("variantInterpretation") is None:
                continue
            vi = _obj(gi, "variantInterpretation", "variantInterpretation")
            vd = _obj(vi, "variationDescriptor", "variationDescriptor")
            kind = "structural" if "structuralType" in vd else ("small" if "vcfRecord" in vd else "other")
            st = _obj(vd, "allelicState", "allelicState").get("label", "")
            variants.append((kind, st if isinstance(st, str) else ""))
    return {"id": d["id"], "sex": sex, "age": age, "observed": observed,
            "excluded": excluded, "variants": variants}


def targets(p):
    """The UDP targets (None = unknown for this patient)."""
    v = p["variants"]
    return {
        "male": {"MALE": 1, "FEMALE": 0}.get(p["sex"]),
        "pediatric": None if p["age"] is None else int(p["age"] < 18.0),
        "structural_variant": None if not v else int(any(k == "structural" for k, _ in v)),
        "biallelic": None if not v else int(any(s == "homozygous" for _, s in v)
                                            or sum(s == "heterozygous" for _, s in v) >= 2),
    }
