#!/usr/bin/env bash
# A/B of two builds of the node on the same scenarios, alternating A and B run by run (A B B A A B ...), a fresh node
# per run, so the noise of a shared machine falls on both. Prints one JSON line per run (the load tool's summary).
#   A=/tmp/base/ChatCluster.Host/bin/Release/net10.0/ChatCluster.Host.dll \
#   B=ChatCluster.Host/bin/Release/net10.0/ChatCluster.Host.dll REPS=3 bench/ab-nodes.sh > bench/results/ab.jsonl
# Scenarios (SCENARIOS): rooms (ws, 1000 clients in 100 rooms, max rate), fanout (ws, 1000 clients, 10 senders, max
# rate), tcp-rooms. Ports: PORT_BASE (default 21100) .. +1. A_ARGS / B_ARGS: extra node arguments per variant (a build
# with chatcluster.limits needs B_ARGS="--config bench.conf" so the benchmark's 1000 clients from one address are let in).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
: "${A:?A=<node dll>}" "${B:?B=<node dll>}"
REPS="${REPS:-3}"
SECS="${SECONDS_PER_RUN:-8}"
WARMUP="${WARMUP:-2}"
SCENARIOS="${SCENARIOS:-rooms fanout}"
PORT_BASE="${PORT_BASE:-21100}"
TCP=$PORT_BASE WEB=$((PORT_BASE + 1))
ROOMS="defaultRoom,$(seq -s, -f 'room%g' 0 99)"
TOOL=(dotnet "$ROOT/ChatCluster.Bench/bin/Release/net10.0/ChatCluster.Bench.dll")
RUN="$(mktemp -d)"
log() { echo "[ab $(date +%H:%M:%S)] $*" >&2; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NODE_PID=""
stop_node() {
  [ -n "$NODE_PID" ] || return 0
  kill "$NODE_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$NODE_PID" 2>/dev/null || true
  NODE_PID=""
}
trap 'stop_node; rm -rf "$RUN"' EXIT
wait_port() { for _ in $(seq 1 150); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
start_node() { # $1 = node dll, $2 = extra arguments (word-split)
  # shellcheck disable=SC2086
  setsid dotnet "$1" --tcp-port "$TCP" --web-port "$WEB" --rooms "$ROOMS" --log-level warning ${2:-} >"$RUN/node.log" 2>&1 </dev/null &
  NODE_PID=$!
  wait_port "$WEB" && wait_port "$TCP" || { tail -20 "$RUN/node.log" >&2; exit 1; }
}
args() {
  case "$1" in
    rooms) echo "rooms --clients 1000 --rooms 100 --rate 0 --window 1 --seconds $SECS --warmup $WARMUP --url ws://127.0.0.1:$WEB/primus" ;;
    fanout) echo "fanout --clients 1000 --senders 10 --rate 0 --window 1 --seconds $SECS --warmup $WARMUP --url ws://127.0.0.1:$WEB/primus" ;;
    tcp-rooms) echo "rooms --transport tcp --clients 1000 --rooms 100 --rate 0 --window 1 --seconds $SECS --warmup $WARMUP --port $TCP" ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}
for rep in $(seq 1 "$REPS"); do
  order="A B"; [ $((rep % 2)) -eq 0 ] && order="B A"
  for scen in $SCENARIOS; do
    for which in $order; do
      dll="${!which}"
      extra_var="${which}_ARGS"
      start_node "$dll" "${!extra_var:-}"
      log "$which $scen rep $rep (load $(cut -d' ' -f1 /proc/loadavg))"
      # shellcheck disable=SC2046
      "${TOOL[@]}" $(args "$scen") --pid "$NODE_PID" --label "$which-$scen" 2>>"$RUN/tool.err" | tail -1 || log "run failed: $(tail -3 "$RUN/tool.err")"
      stop_node
    done
  done
done
