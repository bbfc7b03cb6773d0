#!/usr/bin/env bash
# A/B of the metrics: a node with its management listener on (OpenTelemetry collecting, /metrics scraped every
# second, as a busy Prometheus would) against one with chatcluster.management.enabled=off, alternated, a fresh node
# per run, for the fanout and rooms scenarios of bench/run-matrix.sh. Prints one line per run.
# Usage: bench/metrics-ab.sh [ROUNDS=3] [SECONDS=8]; ports 26300 (tcp), 26380 (web), 26390 (management).
# Prints: scenario, metrics on/off, deliveries/s, the node's CPU (% of one vCPU) and its CPU microseconds per delivery.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS="${1:-3}" SECS="${2:-8}"
RUN="$(mktemp -d)"
NODE_DLL="$ROOT/ChatCluster.Host/bin/Release/net10.0/ChatCluster.Host.dll"
TOOL=(dotnet "$ROOT/ChatCluster.Bench/bin/Release/net10.0/ChatCluster.Bench.dll")
ROOMS="defaultRoom,$(seq -s, -f 'room%g' 0 99)"
TCP=26300 WEB=26380 MGMT=26390
dotnet build -c Release -nologo -v q ChatCluster.Host >"$RUN/build.log" 2>&1 || { tail -20 "$RUN/build.log"; exit 1; }
dotnet build -c Release -nologo -v q ChatCluster.Bench >>"$RUN/build.log" 2>&1 || { tail -20 "$RUN/build.log"; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
wait_port() { for _ in $(seq 1 150); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
run() { # $1 = on|off, $2 = scenario
  local extra=(--management-port "$MGMT"); [ "$1" = off ] && extra=(--chatcluster.management.enabled=off)
  setsid dotnet "$NODE_DLL" --tcp-port $TCP --web-port $WEB --rooms "$ROOMS" --log-level warning "${extra[@]}" \
    >"$RUN/node.log" 2>&1 </dev/null & local pid=$!
  wait_port $WEB || { tail -20 "$RUN/node.log"; kill $pid; exit 1; }
  local scraper=""
  if [ "$1" = on ]; then (while sleep 1; do curl -s -o /dev/null "http://127.0.0.1:$MGMT/metrics" || true; done) & scraper=$!; fi
  local args
  case "$2" in
    fanout) args="fanout --clients 100 --senders 10 --rate 0 --window 1 --seconds $SECS --warmup 2" ;;
    rooms)  args="rooms --clients 1000 --rooms 100 --rate 0 --window 1 --seconds $SECS --warmup 2" ;;
  esac
  # deliveries/s, and the node's CPU per delivery (server % of one vCPU / deliveries per second): the second moves
  # less when other work shares the machine.
  local line; line=$("${TOOL[@]}" $args --url "ws://127.0.0.1:$WEB/primus" --pid $pid 2>&1 | grep 'deliveries/s' | tail -1)
  local rate cpu out
  rate=$(grep -o '[0-9,]* deliveries/s' <<<"$line" | tr -d ', deliveris/')
  cpu=$(grep -o 'CPU server [0-9.]*' <<<"$line" | grep -o '[0-9.]*$')
  out="$(printf "%'d deliveries/s, node CPU %s%%, %s us/delivery" "$rate" "$cpu" "$(awk -v c="$cpu" -v r="$rate" 'BEGIN { printf "%.2f", (r > 0 ? c / 100 * 1e6 / r : 0) }')")"
  [ -n "$scraper" ] && kill $scraper
  kill $pid; wait $pid 2>/dev/null || true
  echo "$2 metrics-$1: $out"
}
for r in $(seq 1 "$ROUNDS"); do
  for s in fanout rooms; do
    if [ $((r % 2)) = 1 ]; then run on $s; run off $s; else run off $s; run on $s; fi
  done
done
rm -rf "$RUN"
