#!/bin/sh
# GNU parallel over an archive on one machine (or several, with parallel's --sshlogin):
#   scripts/parallel.sh LIST ROOT OUT N [baogao extract options…]
# runs N shards at once (job K into OUT/shard-K, each retried up to 3 times, resuming),
# then merges them into OUT/all. LIST holds one input path per line (e.g.
# `find ROOT -name '*.pdf' | sort`); names under OUT mirror the paths relative to ROOT.
# BAOGAO names the binary (default: baogao on PATH); REVIEW=T writes review.csv (confidence
# below T) in the shards and the merged folder.
set -eu
list=$1 root=$2 out=$3 n=$4
shift 4
bin=${BAOGAO:-baogao}
seq 1 "$n" | parallel -q -j "$n" --retries 3 --halt never \
    "$bin" extract --files-from "$list" --relative-to "$root" --shard "{}/$n" \
    -o "$out/shard-{}" --resume --errors-ok --jobs 1 ${REVIEW:+--review "$REVIEW"} "$@"
shards=$(seq 1 "$n" | sed "s|^|$out/shard-|")
# shellcheck disable=SC2086 # one word per shard folder
exec "$bin" merge $shards -o "$out/all" ${REVIEW:+--review "$REVIEW"}
