"""The labeling functions of tools/train/lf_rules.json in Python, with the
semantics of `helix lf apply` (include/helix/lf_rules.h): keyword = bytes containing a
keyword, ASCII case folding unless case_sensitive, optional whole_word;
regex = POSIX ERE found anywhere (the patterns here keep to the subset where
Python's `re` agrees with POSIX on whether a text matches); threshold on a
number, on code points ("chars") or on runs of non-whitespace ("words").
Usage: apply_lfs.py [RULES.json] < JSONL > votes JSONL ({"votes": [...]})
"""
import json
import re
import sys

WS = b" \t\n\v\f\r"


def _fold(b):
    return bytes(c + 32 if 65 <= c <= 90 else c for c in b)


def _word_byte(c):
    return 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c == 95


def compile_rules(rules):
    out = []
    for lf in rules["lfs"]:
        rx = re.compile(lf["pattern"], re.IGNORECASE if "i" in lf.get("flags", "") else 0) \
            if lf["type"] == "regex" else None
        out.append((lf, rx))
    return out


def _keyword_hit(lf, value):
    hay = value.encode("utf-8")
    cs = lf.get("case_sensitive", False)
    if not cs:
        hay = _fold(hay)
    for k in lf["keywords"]:
        kb = k.encode("utf-8")
        if not cs:
            kb = _fold(kb)
        start = 0
        while True:
            i = hay.find(kb, start)
            if i < 0:
                break
            if not lf.get("whole_word", False):
                return True
            before = i > 0 and _word_byte(hay[i - 1])
            after = i + len(kb) < len(hay) and _word_byte(hay[i + len(kb)])
            if not before and not after:
                return True
            start = i + 1
    return False


def _threshold_hit(lf, value):
    m = lf.get("measure", "value")
    if m == "value":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        x = float(value)
    elif not isinstance(value, str):
        return None
    elif m == "chars":
        x = len(value)
    else:
        x = len([w for w in re.split(rb"[ \t\n\v\f\r]+", value.encode("utf-8")) if w])
    v = lf["value"]
    return {"<": x < v, "<=": x <= v, ">": x > v, ">=": x >= v, "==": x == v, "!=": x != v}[lf["op"]]


def vote(compiled, record):
    votes = []
    for lf, rx in compiled:
        value = record.get(lf["field"]) if isinstance(record, dict) else None
        hit = False
        if lf["type"] == "keyword":
            hit = isinstance(value, str) and _keyword_hit(lf, value)
        elif lf["type"] == "regex":
            hit = isinstance(value, str) and rx.search(value.split("\0", 1)[0]) is not None
        elif lf["type"] == "threshold":
            hit = bool(_threshold_hit(lf, value))
        votes.append(lf["label"] if hit else -1)
    return votes


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else __file__.replace("apply_lfs.py", "lf_rules.json")
    compiled = compile_rules(json.load(open(path)))
    for line in sys.stdin:
        print(json.dumps({"votes": vote(compiled, json.loads(line))}))


if __name__ == "__main__":
    main()
