#!/usr/bin/env bash
# Stop the cluster started by scripts/cluster-start.sh: SIGTERM to exactly the pids it recorded (each node says
# goodbye to its clients and leaves the cluster), SIGKILL after 20 s if one is still running.
set -uo pipefail
cd "$(dirname "$0")/.."
RUN=run/cluster
shopt -s nullglob
pids=()
# workers first, the seed last: the cluster shrinks gracefully
for f in "$RUN"/worker*.pid "$RUN"/seed.pid; do
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" && pids+=("$pid") && echo "stopping $(basename "$f" .pid) (pid $pid)"; fi
  rm -f "$f"
done
for _ in $(seq 1 40); do
  alive=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
  [ $alive -eq 0 ] && { echo "stopped"; exit 0; }
  sleep 0.5
done
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && { echo "pid $pid did not stop in 20 s: SIGKILL"; kill -KILL "$pid"; }; done
exit 0
