#!/usr/bin/env bash
# --shard K/N, --resume and `helix merge` end to end (docs/cluster.md), for every wired record
# command over inputs with blank lines, bad records and a torn final line:
#   - for N in 1, 2, 3, 7 the merged shards (and `cat` in shard order) equal the single run byte
#     for byte, and merge exits 0;
#   - --resume after truncating a part at random byte offsets gives the uninterrupted bytes;
#   - merge refuses a missing, duplicated, unfinished, changed or foreign part; --resume refuses a
#     part of another run; --shard refuses a pipe.
# usage: tests/test_shard.sh HELIX REPO_ROOT
set -uo pipefail
H=${1:?helix binary}
ROOT=${2:?repository root}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }

# Inputs. JSONL: real abstracts with blank lines, non-JSON lines, a wrong-typed field, a line that
# is only blanks, CRLF endings, and a torn final line (no newline).
python3 - "$ROOT" "$T" <<'EOF'
import sys, random
root, t = sys.argv[1], sys.argv[2]
lines = open(root + '/models/triage/hoc_test.jsonl').read().split('\n')[:45]
random.seed(18)
out = []
for i, l in enumerate(lines):
    if i % 7 == 3: out.append('')
    if i % 11 == 5: out.append('not json at all')
    if i % 13 == 2: out.append('{"text": 5}')
    if i % 17 == 9: out.append('   ')
    out.append(l + ('\r' if i % 19 == 4 else ''))
open(t + '/in.jsonl', 'w').write('\n'.join(out) + '\n{"text": "a torn final line')
# The first line bad: --format auto must still be decided as the single run decides it.
open(t + '/in_badfirst.jsonl', 'w').write('\n'.join(['oops'] + out[:30]) + '\n')
# CSV for forest predict: a header, good rows, bad rows, blank lines, a torn final row.
rows = open(root + '/tests/fixtures/forest/best_first_new.x.csv').read().split('\n')
hdr, data = rows[0], [r for r in rows[1:] if r]
csv = [hdr]
for i, r in enumerate(data[:120]):
    if i % 9 == 4: csv.append('')
    if i % 10 == 7: csv.append('1,2,x,4')
    if i % 23 == 11: csv.append('1,2')
    csv.append(r)
udp = open(root + '/models/udp/test_sample.jsonl').read().split('\n')
uo = []
for i, l in enumerate(udp[:60]):
    if i % 8 == 3: uo.append('')
    if i % 9 == 5: uo.append('[1, 2]')
    if i % 14 == 6: uo.append('{"id": "x", "phenotypicFeatures": 7}')
    uo.append(l)
open(t + '/in_udp.jsonl', 'w').write('\n'.join(uo) + '\n' + udp[61][:200])
import glob
imgs = sorted(glob.glob(root + '/models/ultrasound/*.jpg'))
il = []
for i in range(3):
    for j, f in enumerate(imgs):
        il.append(f)
        if (i + j) % 3 == 1: il.append(t + '/no-such-image.jpg')
    il.append(root + '/models/ultrasound/ATTRIBUTION.md')
open(t + '/images.txt', 'w').write('\n'.join(il) + '\n' + imgs[0])
open(t + '/in.csv', 'w').write('\n'.join(csv) + '\n' + data[121][:10])
EOF
"$H" convert forest "$ROOT/tests/fixtures/forest/best_first_new.dump.json" -o "$T/forest.hlx" >/dev/null 2>&1 ||
  bad "convert forest"
BERT=$ROOT/models/triage/bert_b.hlx

# name | input | command line (after helix)
cases=(
  "classify-text|in.jsonl|classify-text -m $BERT --max-len 64"
  "classify-text-badfirst|in_badfirst.jsonl|classify-text -m $BERT --max-len 64"
  "embed|in.jsonl|embed -m $BERT --max-len 64 --pooling mean"
  "tokenize|in.jsonl|tokenize -m $BERT --max-len 32"
  "tokenize-badfirst|in_badfirst.jsonl|tokenize -m $BERT --max-len 32"
  "triage|in.jsonl|triage --config $ROOT/models/triage.json"
  "forest|in.csv|forest predict -m $T/forest.hlx --proba"
  "udp|in_udp.jsonl|udp --config $ROOT/models/udp.json"
  "classify-image|images.txt|classify-image -m $ROOT/models/ultrasound/seresnet_untrained_tiny.hlx --batch 2"
  "lf|in.jsonl|lf apply --lfs $ROOT/models/triage/lf_rules.json"
  "lf-noheader|in.jsonl|lf apply --no-header --lfs $ROOT/models/triage/lf_rules.json"
)

for c in "${cases[@]}"; do
  IFS='|' read -r name input cmd <<<"$c"
  in=$T/$input
  # shellcheck disable=SC2086
  if [ "$name" = classify-image ]; then # its records are FILE arguments: the list comes by -i
    $H $cmd -i "$in" > "$T/$name.single" 2>/dev/null
  else
    $H $cmd < "$in" > "$T/$name.single" 2>/dev/null
  fi
  src=$?
  [ -s "$T/$name.single" ] || bad "$name: single run wrote nothing (status $src)"
  for N in 1 2 3 7; do
    parts=()
    for K in $(seq 1 "$N"); do
      # shellcheck disable=SC2086
      $H $cmd --shard "$K/$N" -i "$in" -o "$T/$name.$K.$N" 2>/dev/null
      st=$?
      [ "$st" -eq 0 ] || [ "$st" -eq "$src" ] || bad "$name: shard $K/$N exit $st (single $src)"
      parts+=("$T/$name.$K.$N")
    done
    "$H" merge -o "$T/$name.merged.$N" "${parts[@]}" 2>/dev/null
    mst=$?
    if cmp -s "$T/$name.single" "$T/$name.merged.$N"; then ok; else bad "$name: merge of $N shards differs"; fi
    [ "$mst" -eq 0 ] && ok || bad "$name: merge status $mst"
    cat "${parts[@]}" | cmp -s - "$T/$name.single" && ok || bad "$name: cat of $N shards differs"
  done
  if [ "$name" = classify-image ]; then
    # shellcheck disable=SC2086
    $H $cmd "$ROOT"/models/ultrasound/*.jpg > "$T/ci.args" 2>/dev/null
    grep -v no-such "$T/$name.single" | head -4 | cmp -s - "$T/ci.args" && ok || bad "classify-image: -i LIST differs from FILE arguments"
  fi
  # A sharded read from `< FILE` works too; from a pipe it is refused.
  # shellcheck disable=SC2086
  $H $cmd --shard 2/3 < "$in" > "$T/$name.stdin" 2>/dev/null
  cmp -s "$T/$name.stdin" "$T/$name.2.3" && ok || bad "$name: --shard 2/3 < FILE differs from -i"
  # shellcheck disable=SC2086
  cat "$in" | $H $cmd --shard 1/2 > /dev/null 2>&1
  [ $? -eq 2 ] && ok || bad "$name: --shard on a pipe not refused with status 2"

  # --resume after an interruption at random byte offsets (and at 0 and at the end).
  for K in 1 2 3; do
    ref=$T/$name.$K.3
    size=$(stat -c %s "$ref")
    offs="0 $size"
    for _ in 1 2 3; do offs="$offs $(( (RANDOM * 32768 + RANDOM) % (size + 1) ))"; done
    for off in $offs; do
      out=$T/$name.resume
      head -c "$off" "$ref" > "$out"
      sed 's/"complete":[[:space:]]*true/"complete": false/' "$ref.part.json" > "$out.part.json"
      # shellcheck disable=SC2086
      $H $cmd --shard "$K/3" -i "$in" -o "$out" --resume 2>/dev/null
      if cmp -s "$out" "$ref"; then ok; else bad "$name: --resume of shard $K/3 cut at $off/$size differs"; fi
      grep -q '"complete":[[:space:]]*true' "$out.part.json" && ok || bad "$name: resumed part not marked complete"
    done
  done
  # A fresh --resume (no FILE yet) equals the plain run; a second one leaves it alone.
  rm -f "$T/$name.fresh" "$T/$name.fresh.part.json"
  # shellcheck disable=SC2086
  $H $cmd --shard 2/3 -i "$in" -o "$T/$name.fresh" --resume 2>/dev/null
  cmp -s "$T/$name.fresh" "$T/$name.2.3" && ok || bad "$name: fresh --resume differs"
  # shellcheck disable=SC2086
  $H $cmd --shard 2/3 -i "$in" -o "$T/$name.fresh" --resume 2>/dev/null
  cmp -s "$T/$name.fresh" "$T/$name.2.3" && ok || bad "$name: --resume of a complete part changed it"
done

# Resume over parts bigger than the 64 KiB read chunks: the whole bundled test split, tokenized.
big=$ROOT/models/triage/hoc_test.jsonl
for K in 1 2; do
  "$H" tokenize -m "$BERT" --shard "$K/2" -i "$big" -o "$T/big.$K" 2>/dev/null || bad "big: shard $K/2"
  size=$(stat -c %s "$T/big.$K")
  for _ in 1 2 3 4; do
    off=$(( (RANDOM * 32768 + RANDOM) % (size + 1) ))
    head -c "$off" "$T/big.$K" > "$T/big.r"
    sed 's/"complete":[[:space:]]*true/"complete": false/' "$T/big.$K.part.json" > "$T/big.r.part.json"
    "$H" tokenize -m "$BERT" --shard "$K/2" -i "$big" -o "$T/big.r" --resume 2>/dev/null
    cmp -s "$T/big.r" "$T/big.$K" && ok || bad "big: --resume of shard $K/2 cut at $off/$size differs"
  done
done
"$H" tokenize -m "$BERT" < "$big" > "$T/big.single" 2>/dev/null
"$H" merge "$T/big.1" "$T/big.2" 2>/dev/null | cmp -s - "$T/big.single" && ok || bad "big: merge to stdout differs"

# Tiny inputs, fewer bytes than shards: still exactly one header and every line once.
printf '{"text":"a"}\n\n' > "$T/tiny.jsonl"
head -2 "$T/in.csv" | head -c 200 > "$T/tiny.csv"
: > "$T/empty.jsonl"
for c in "lf apply --lfs $ROOT/models/triage/lf_rules.json|tiny.jsonl" "lf apply --lfs $ROOT/models/triage/lf_rules.json|empty.jsonl" \
         "forest predict -m $T/forest.hlx --proba|tiny.csv" "tokenize -m $BERT|tiny.jsonl"; do
  IFS='|' read -r cmd input <<<"$c"
  # shellcheck disable=SC2086
  $H $cmd < "$T/$input" > "$T/tiny.single" 2>/dev/null
  for N in 7 40; do
    parts=()
    for K in $(seq 1 "$N"); do
      # shellcheck disable=SC2086
      $H $cmd --shard "$K/$N" -i "$T/$input" -o "$T/tiny.$K" 2>/dev/null
      parts+=("$T/tiny.$K")
    done
    "$H" merge "${parts[@]}" 2>/dev/null | cmp -s - "$T/tiny.single" && ok || bad "$cmd over $input: $N shards differ"
  done
done

# Refusals.
P=$T/classify-text
expect_fail() { # expect_fail STATUS DESCRIPTION COMMAND...
  local want=$1 what=$2; shift 2
  "$@" > "$T/refuse.out" 2> "$T/refuse.err"
  local st=$?
  if [ "$st" -eq "$want" ] && [ -s "$T/refuse.err" ]; then ok; else bad "$what: status $st (want $want)"; fi
}
expect_fail 1 "merge with a shard missing" "$H" merge -o "$T/m" "$P.1.3" "$P.3.3"
expect_fail 1 "merge with a shard twice" "$H" merge -o "$T/m" "$P.1.3" "$P.2.3" "$P.2.3" "$P.3.3"
expect_fail 1 "merge across runs" "$H" merge -o "$T/m" "$P.1.3" "$T/embed.2.3" "$P.3.3"
expect_fail 1 "merge across shard counts" "$H" merge -o "$T/m" "$P.1.2" "$P.2.3" "$P.3.3"
cp "$P.2.3" "$T/inc"; sed 's/"complete":[[:space:]]*true/"complete": false/' "$P.2.3.part.json" > "$T/inc.part.json"
expect_fail 1 "merge of an unfinished shard" "$H" merge -o "$T/m" "$P.1.3" "$T/inc" "$P.3.3"
cp "$P.2.3" "$T/chg"; cp "$P.2.3.part.json" "$T/chg.part.json"; echo '{}' >> "$T/chg"
expect_fail 1 "merge of a changed shard" "$H" merge -o "$T/m" "$P.1.3" "$T/chg" "$P.3.3"
cp "$P.2.3" "$T/nosc"
expect_fail 1 "merge of a part without sidecar" "$H" merge -o "$T/m" "$P.1.3" "$T/nosc" "$P.3.3"
[ -e "$T/m" ] && bad "merge left an output after refusing" || ok
cp "$P.2.3" "$T/other"; sed 's/"complete":[[:space:]]*true/"complete": false/' "$P.2.3.part.json" > "$T/other.part.json"
expect_fail 1 "--resume with another model" "$H" classify-text -m "$ROOT/models/triage/bert_a.hlx" --max-len 64 \
  --shard 2/3 -i "$T/in.jsonl" -o "$T/other" --resume
expect_fail 1 "--resume as another shard" "$H" classify-text -m "$BERT" --max-len 64 \
  --shard 1/3 -i "$T/in.jsonl" -o "$T/other" --resume
cmp -s "$T/other" "$P.2.3" && ok || bad "a refused --resume changed the file"
cp "$P.2.3" "$T/nosc2"
expect_fail 1 "--resume over a file without sidecar" "$H" classify-text -m "$BERT" --max-len 64 \
  --shard 2/3 -i "$T/in.jsonl" -o "$T/nosc2" --resume
expect_fail 2 "--resume without -o" "$H" classify-text -m "$BERT" --shard 2/3 -i "$T/in.jsonl" --resume
expect_fail 2 "--shard 4/3" "$H" classify-text -m "$BERT" --shard 4/3 -i "$T/in.jsonl"
expect_fail 2 "--shard 0/3" "$H" classify-text -m "$BERT" --shard 0/3 -i "$T/in.jsonl"
expect_fail 2 "udp --shard with FILE arguments" "$H" udp --config "$ROOT/models/udp.json" --shard 1/2 \
  -i "$T/in_udp.jsonl" "$ROOT/models/udp/test_sample.jsonl"
expect_fail 2 "triage --evaluate --shard" "$H" triage --config "$ROOT/models/triage.json" --evaluate \
  --shard 1/2 -i "$T/in.jsonl"
# --threads does not change the run id: a requeued task on another node type can resume.
cp "$P.2.3" "$T/thr"; head -c 100 "$P.2.3" > "$T/thr"
sed 's/"complete":[[:space:]]*true/"complete": false/' "$P.2.3.part.json" > "$T/thr.part.json"
"$H" classify-text -m "$BERT" --max-len 64 --threads 1 --shard 2/3 -i "$T/in.jsonl" -o "$T/thr" --resume 2>/dev/null
cmp -s "$T/thr" "$P.2.3" && ok || bad "--resume with other --threads"
# A failed -o run leaves nothing behind (here: a model that does not exist).
"$H" classify-text -m "$T/nope.hlx" -i "$T/in.jsonl" -o "$T/never" 2>/dev/null
[ -e "$T/never" ] || [ -n "$(ls "$T"/never.tmp.* 2>/dev/null)" ] && bad "failed -o run left a file" || ok

# Plain -o (no --shard): from a pipe, and udp with FILE arguments, equal stdout.
cat "$T/in.jsonl" | "$H" lf apply --lfs "$ROOT/models/triage/lf_rules.json" -o "$T/plain.lf" 2>/dev/null
cmp -s "$T/plain.lf" "$T/lf.single" && ok || bad "lf apply -o from a pipe differs from stdout"
"$H" udp --config "$ROOT/models/udp.json" -o "$T/plain.udp" "$ROOT/models/udp/test_sample.jsonl" 2>/dev/null
"$H" udp --config "$ROOT/models/udp.json" "$ROOT/models/udp/test_sample.jsonl" 2>/dev/null | cmp -s - "$T/plain.udp" &&
  ok || bad "udp -o with FILE arguments differs from stdout"

echo "shard tests: $((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
