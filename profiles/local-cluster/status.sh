#!/usr/bin/env bash
# Status of a job started by submit.sh: running until its status file exists.
set -euo pipefail
state_dir="${DRUKMONITOR_LOCAL_CLUSTER_DIR:-.snakemake/local-cluster}"
if [ -f "$state_dir/$1.status" ]; then cat "$state_dir/$1.status"; else echo running; fi
