#!/usr/bin/env bash
# A sweep as a Slurm job array of 16 shards:
#   sbatch examples/cluster/slurm-sweep.sh
# then, when all have finished:
#   node bin/tlbrace.js merge out/shards/part-*.arrow --out out/sweep.arrow
#SBATCH --job-name=tlbrace-sweep
#SBATCH --array=0-15
#SBATCH --cpus-per-task=4
#SBATCH --time=01:00:00
#SBATCH --output=out/shards/slurm-%A_%a.log
set -euo pipefail
export WORKERS=${SLURM_CPUS_PER_TASK:-4}
exec bash "${SLURM_SUBMIT_DIR:-.}/examples/cluster/run-shard.sh"
