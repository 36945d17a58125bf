#!/bin/sh
# One job of a scheduler's array converts its shard of a shared list:
#   scripts/shard-job.sh LIST ROOT OUT N [baogao options…]
# The 0-based index comes from the scheduler: SLURM_ARRAY_TASK_ID (Slurm array),
# JOB_COMPLETION_INDEX (Kubernetes Indexed Job), or K0 (anything else). Job K writes
# OUT/shard-(K+1); a rerun of a job resumes it; `baogao merge OUT/shard-* -o OUT/all`
# combines the shards when all are done. BAOGAO names the binary (default: baogao on PATH).
set -eu
list=$1 root=$2 out=$3 n=$4
shift 4
k=${SLURM_ARRAY_TASK_ID:-${JOB_COMPLETION_INDEX:-${K0:?no job index (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or K0)}}}
exec "${BAOGAO:-baogao}" extract --files-from "$list" --relative-to "$root" \
    --shard "$((k + 1))/$n" -o "$out/shard-$((k + 1))" --resume --errors-ok "$@"
