"""Reference semantics of tools/train/lf_rules.json ("helix-lf-v1") in Python,
used to design the rules and to check `helix lf apply`. Regexes are POSIX ERE;
the patterns are kept to the subset where Python's `re` agrees with POSIX on
whether a text matches (literals, classes, alternation, ?, *, +, groups).
Usage: apply_lfs.py [RULES.json] < JSONL > votes JSONL ({"votes": [...]})
"""
import json
import re
import sys


def ascii_lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def compile_rules(rules):
    out = []
    for lf in rules["lfs"]:
        if lf["kind"] == "regex":
            out.append((lf, re.compile(lf["pattern"], re.IGNORECASE)))
        else:
            out.append((lf, None))
    return out


def vote(compiled, text):
    low = ascii_lower(text)
    votes = []
    for lf, rx in compiled:
        if lf["kind"] == "keyword":
            hit = any(p in low for p in lf["any"]) and not any(p in low for p in lf.get("none", []))
        elif lf["kind"] == "regex":
            hit = rx.search(text) is not None
        elif lf["kind"] == "count":
            hit = sum(low.count(p) for p in lf["any"]) >= lf["min"]
        else:
            raise ValueError("unknown LF kind " + lf["kind"])
        votes.append(lf["label"] if hit else -1)
    return votes


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else __file__.replace("apply_lfs.py", "lf_rules.json")
    rules = json.load(open(path))
    compiled = compile_rules(rules)
    for line in sys.stdin:
        r = json.loads(line)
        print(json.dumps({"votes": vote(compiled, r[rules["field"]])}))


if __name__ == "__main__":
    main()
