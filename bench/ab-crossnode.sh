#!/usr/bin/env bash
# A/B of two builds of the node on the three-node row: `ChatCluster.Bench crossnode` (one room, members on all three
# nodes, one sender per node) against a fresh 3-node cluster of build A, then of build B, alternating A B / B A per
# repetition so the noise of a shared machine falls on both. Prints one JSON line per run (the tool's summary, with
# "label" added).
#   A=/tmp/base/ChatCluster.Node/bin/Release/net10.0/ChatCluster.Node.dll \  (a build before ChatCluster.Host: the node dll)
#   B=ChatCluster.Host/bin/Release/net10.0/ChatCluster.Host.dll REPS=3 bench/ab-crossnode.sh > bench/results/ab-crossnode.jsonl
# A_ARGS / B_ARGS: extra node arguments per variant (e.g. "--config some.conf").
# CROSSNODE_ARGS: extra arguments for the tool (default "--seconds 10 --members-per-node 10 --window 50").
# Ports (PORT_BASE, default 21040): akka PORT_BASE, tcp +1..+3, web +4..+6, management +7..+9, ccm +10..+12.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
: "${A:?A=<node dll>}" "${B:?B=<node dll>}"
REPS="${REPS:-3}"
TOOL_ARGS="${CROSSNODE_ARGS:---seconds 10 --members-per-node 10 --window 50}"
P="${PORT_BASE:-21040}"
SEED="akka.tcp://chatcluster@127.0.0.1:$P"
TOOL=(dotnet "$ROOT/ChatCluster.Bench/bin/Release/net10.0/ChatCluster.Bench.dll")
RUN="$(mktemp -d)"
log() { echo "[ab-crossnode $(date +%H:%M:%S)] $*" >&2; }
PIDS=()
stop_nodes() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap 'stop_nodes; rm -rf "$RUN"' EXIT
wait_ready() { # management port
  for _ in $(seq 1 240); do curl -sf -o /dev/null "http://127.0.0.1:$1/healthz/ready" && return 0; sleep 0.5; done
  return 1
}
start_nodes() { # $1 = node dll, $2 = extra node arguments (word-split)
  # shellcheck disable=SC2086
  setsid dotnet "$1" seed --akka-port "$P" --seed-nodes "$SEED" --tcp-port $((P + 1)) --web-port $((P + 4)) \
    --management-port $((P + 7)) --cmd-port $((P + 10)) --log-level warning ${2:-} >"$RUN/node0.log" 2>&1 </dev/null &
  PIDS+=($!)
  wait_ready $((P + 7)) || { tail -20 "$RUN/node0.log" >&2; exit 1; }
  for k in 1 2; do
    # shellcheck disable=SC2086
    setsid dotnet "$1" worker --seed-nodes "$SEED" --tcp-port $((P + 1 + k)) --web-port $((P + 4 + k)) \
      --management-port $((P + 7 + k)) --cmd-port $((P + 10 + k)) --log-level warning ${2:-} >"$RUN/node$k.log" 2>&1 </dev/null &
    PIDS+=($!)
  done
  for k in 1 2; do wait_ready $((P + 7 + k)) || { tail -20 "$RUN/node$k.log" >&2; exit 1; }; done
}
HZ=$(getconf CLK_TCK)
cpu_ticks() { # user + system ticks of the running nodes
  local sum=0
  for pid in "${PIDS[@]}"; do
    read -r -a f < "/proc/$pid/stat" || continue
    sum=$(( sum + f[13] + f[14] ))
  done
  echo "$sum"
}
for rep in $(seq 1 "$REPS"); do
  order="A B"; [ $((rep % 2)) -eq 0 ] && order="B A"
  for which in $order; do
    extra_var="${which}_ARGS"
    start_nodes "${!which}" "${!extra_var:-}"
    log "$which rep $rep (load $(cut -d' ' -f1 /proc/loadavg))"
    before=$(cpu_ticks)
    # shellcheck disable=SC2086
    line=$("${TOOL[@]}" crossnode $TOOL_ARGS --seed-port $((P + 1)) --worker1-port $((P + 2)) --worker2-port $((P + 3)) 2>>"$RUN/tool.err" | tail -1) \
      || log "run failed: $(tail -3 "$RUN/tool.err")"
    ticks=$(( $(cpu_ticks) - before ))
    # nodeCpuSec: CPU time of the three nodes over the whole tool run (set-up, joins and the measured window).
    [ -n "${line:-}" ] && echo "${line%\}},\"label\":\"$which\",\"rep\":$rep,\"nodeCpuSec\":$(echo "scale=2; $ticks / $HZ" | bc),\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\"}"
    stop_nodes
  done
done
