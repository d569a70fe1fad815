#!/usr/bin/env bash
# Submits a sharded helix run to Slurm: an array of N shard tasks and a merge job that waits for
# all of them (docs/cluster.md).
#
#   dist/slurm/submit.sh -n N -o OUT [-c CPUS] [-d PARTDIR] [-- SBATCH_OPTIONS...] INPUT COMMAND [ARGS...]
#
# e.g.  HELIX=$PWD/build/helix dist/slurm/submit.sh -n 64 -c 4 -o triage.jsonl \
#         pubmed.jsonl triage --config $PWD/models/triage.json
# Prints the two job ids. Re-running the same command after a failure resubmits; finished shards
# are kept (--resume), so only the missing work is done.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n='' out='' cpus=1 partdir='' extra=()
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    -c) cpus=$2; shift 2 ;;
    -d) partdir=$2; shift 2 ;;
    --) shift; while [ $# -gt 0 ] && [ "${1:0:1}" = - ]; do extra+=("$1"); shift; done ;;
    *) break ;;
  esac
done
if [ -z "$n" ] || [ -z "$out" ] || [ $# -lt 2 ]; then
  sed -n '5,6p' "$0" >&2
  exit 2
fi
input=$(realpath "$1"); shift
out=$(realpath -m "$out")
partdir=$(realpath -m "${partdir:-$out.parts}")
mkdir -p "$partdir"
array=$(sbatch --parsable --array=1-"$n" --cpus-per-task="$cpus" --chdir="$partdir" \
  --output="$partdir/shard-%a.log" "${extra[@]}" "$here/helix_shard.sbatch" "$partdir" "$input" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes --chdir="$partdir" \
  --output="$partdir/merge.log" "${extra[@]}" "$here/helix_merge.sbatch" "$out" "$partdir" "$n")
echo "shards: job $array (array 1-$n), merge: job ${merge%%;*} -> $out"
