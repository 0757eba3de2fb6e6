#!/usr/bin/env bash
# One shard of a sweep. The scheduler gives the shard number: Slurm as
# SLURM_ARRAY_TASK_ID (0-based) of SLURM_ARRAY_TASK_COUNT, a Kubernetes
# indexed Job as JOB_COMPLETION_INDEX (0-based) with SHARD_COUNT set in the
# manifest; SHARD_INDEX/SHARD_COUNT work anywhere. Every shard runs the same
# sweep; `tlbrace merge "$OUT"/part-*.arrow` then gives exactly the
# unsharded result.
set -euo pipefail
index=${SHARD_INDEX:-${SLURM_ARRAY_TASK_ID:-${JOB_COMPLETION_INDEX:?no shard index: set SHARD_INDEX}}}
count=${SHARD_COUNT:-${SLURM_ARRAY_TASK_COUNT:?no shard count: set SHARD_COUNT}}
out=${OUT:-out/shards}
repo=${TLBRACE_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
mkdir -p "$out"
# The study's grid, finer: 21 x 21 cells of the seed's skip-sync variant.
exec node "$repo/bin/tlbrace.js" sweep seed --set tableFree=rcu-skip-sync \
  --vary memoryPressure=0:1:21 --vary preemptRate=log:0.01:100:21 \
  --episodes "${EPISODES:-100000}" --seed "${SEED:-1}" \
  --workers "${WORKERS:-$(nproc)}" \
  --shard "$((index + 1))/$count" --out "$out/part-$((index + 1)).arrow"
