"""Writes the UDP test (and train) split as JSON Lines of phenopackets, one
minified record per line, for `helix udp [--evaluate] FILE.jsonl`:
$HELIX_TRAIN_OUT/udp/{test,train}.jsonl (split rule: docs/udp-task.md), and
every 37th test record as the bundled sample models/udp/test_sample.jsonl."""
import json
import os
import tarfile

from common import SHARED, out_path, split_of_patient
from train_udp import publication_of


def main():
    tf = tarfile.open(os.path.join(SHARED, "phenopackets", "phenopacket-store-b694d17.tar.xz"))
    recs = []
    for m in tf:
        if m.isfile() and m.name.endswith(".json") and "/phenopackets/" in m.name:
            d = json.loads(tf.extractfile(m).read())
            recs.append((m.name, d))
    recs.sort(key=lambda r: r[0])
    outs = {s: open(out_path("udp", s + ".jsonl"), "w", encoding="utf-8") for s in ("train", "test")}
    for _, d in recs:
        outs[split_of_patient(publication_of(d["id"]))].write(
            json.dumps(d, separators=(",", ":"), ensure_ascii=False) + "\n")
    for f in outs.values():
        f.close()
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    test = [d for _, d in recs if split_of_patient(publication_of(d["id"])) == "test"]
    with open(os.path.join(repo, "models", "udp", "test_sample.jsonl"), "w", encoding="utf-8") as f:
        for d in test[::37]:
            f.write(json.dumps(d, separators=(",", ":"), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
