#!/usr/bin/env bash
# Map a SLURM job state to what Snakemake's generic cluster executor expects: running|success|failed.
set -euo pipefail
state=$(sacct -j "$1" --format=State --noheader --parsable2 | head -n 1 | cut -d' ' -f1)
case "$state" in
  COMPLETED) echo success ;;
  PENDING|RUNNING|REQUEUED|RESIZING|SUSPENDED|CONFIGURING|COMPLETING) echo running ;;
  "") echo running ;;  # not yet visible in accounting
  *) echo failed ;;
esac
