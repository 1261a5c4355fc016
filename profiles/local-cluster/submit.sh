#!/usr/bin/env bash
# A stand-in for sbatch: run the job script in its own background process, print a job id.
set -euo pipefail
jobscript="${!#}"
state_dir="${DRUKMONITOR_LOCAL_CLUSTER_DIR:-.snakemake/local-cluster}"
mkdir -p "$state_dir"
(
  job=$BASHPID
  if bash "$jobscript" >"$state_dir/$job.out" 2>&1; then echo success >"$state_dir/$job.status"; else echo failed >"$state_dir/$job.status"; fi
) </dev/null >/dev/null 2>&1 &
echo "$!"
