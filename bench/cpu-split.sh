#!/usr/bin/env bash
# CPU per delivery, split into user and kernel time, for the server and the load tool: starts a fresh server, runs the
# scenario once as warm-up, then reads /proc/<pid>/stat (utime, stime) of both processes over 4 s in the middle of an
# 8 s run. Prints the tool's result line and the split; with perf installed, also the server's socket sends per
# delivery (syscall tracepoints: how many messages one socket write carries, the kernel's main cost). Never part of the
# test suite.
#
#   bench/cpu-split.sh fanout --clients 100 --senders 10 --rate 0 --window 1
#   bench/cpu-split.sh rooms --clients 1000 --rooms 100 --rate 0 --window 1
#   SERVER=sr bench/cpu-split.sh rooms --clients 1000 --rooms 100 --rate 0 --window 1
#
# SERVER: cc (default; one ChatCluster node, Release build, rooms defaultRoom + room0..room99) or sr (the SignalR peer
# from PEERS, default ../shared/peers beside the repo, started from a scratch copy: it writes pid files beside itself).
# Ports: WEB (8380), TCP (5300); sr listens on WEB.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER="${SERVER:-cc}"
WEB="${WEB:-8380}" TCP="${TCP:-5300}"
PEERS="${PEERS:-$(pwd)/../shared/peers}"
# A server of the previous run may still be on its way out: wait up to 10 s for the port.
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$WEB") 2>/dev/null || break; sleep 0.2; done
(exec 3<>"/dev/tcp/127.0.0.1/$WEB") 2>/dev/null && { echo "port $WEB is busy" >&2; exit 1; }
dotnet build -c Release -nologo -v q ChatCluster.Bench >/dev/null
TOOL=(dotnet ChatCluster.Bench/bin/Release/net10.0/ChatCluster.Bench.dll "$@")
case "$SERVER" in
  cc)
    dotnet build -c Release -nologo -v q ChatCluster.Host >/dev/null
    ROOMS="defaultRoom,$(seq -s, -f 'room%g' 0 99)"
    dotnet ChatCluster.Host/bin/Release/net10.0/ChatCluster.Host.dll --config bench.conf --management-port 0 --cmd-port 0 --tcp-port "$TCP" \
      --web-port "$WEB" --rooms "$ROOMS" --log-level warning >/dev/null 2>&1 </dev/null &
    NODE=$!
    trap 'kill $NODE 2>/dev/null || true; wait $NODE 2>/dev/null || true' EXIT
    for _ in $(seq 1 150); do (exec 3<>"/dev/tcp/127.0.0.1/$WEB") 2>/dev/null && break; sleep 0.1; done
    TOOL+=(--url "ws://127.0.0.1:$WEB/primus" --port "$TCP" --pid "$NODE")
    ;;
  sr)
    SCRATCH="$(mktemp -d)"
    cp -a "$PEERS/signalr" "$SCRATCH/" # -a: the build stamp stays newer than the sources, so no rebuild
    rm -f "$SCRATCH/signalr/run/"*.pid
    (cd "$SCRATCH/signalr" && PORT="$WEB" ./start.sh >"$SCRATCH/start.log" 2>&1) || { cat "$SCRATCH/start.log"; exit 1; }
    NODE="$(cat "$SCRATCH/signalr/run/signalr.pid")"
    trap '"$SCRATCH/signalr/stop.sh" >/dev/null 2>&1 || true; rm -rf "$SCRATCH"' EXIT
    TOOL+=(--protocol signalr --url "ws://127.0.0.1:$WEB/chat" --pid "$NODE")
    ;;
  *) echo "SERVER must be cc or sr" >&2; exit 2 ;;
esac
"${TOOL[@]}" --seconds 3 >/dev/null 2>&1
OUT="$(mktemp)" SENDS="$(mktemp)"
"${TOOL[@]}" --seconds 8 >"$OUT" 2>&1 &
TP=$!
ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }   # utime stime, in clock ticks
sleep 3
read -r nu0 ns0 < <(ticks "$NODE"); read -r tu0 ts0 < <(ticks $TP)
if command -v perf >/dev/null 2>&1; then
  perf stat -x, -e 'syscalls:sys_enter_sendto,syscalls:sys_enter_sendmsg' -p "$NODE" -- sleep 4 2>"$SENDS" || sleep 4
else
  sleep 4
fi
read -r nu1 ns1 < <(ticks "$NODE"); read -r tu1 ts1 < <(ticks $TP)
wait $TP
grep -v '^{' "$OUT" | tail -1
HZ=$(getconf CLK_TCK)
RATE=$(grep '^{' "$OUT" | tail -1 | grep -o '"deliveredPerSecInWindow":[0-9.]*' | cut -d: -f2)
SENT=$(awk -F, '$1 ~ /^[0-9]+$/ { n += $1 } END { print n + 0 }' "$SENDS")
rm -f "$OUT" "$SENDS"
awk -v hz="$HZ" -v r="$RATE" -v sent="$SENT" -v who="$SERVER" -v nu=$((nu1-nu0)) -v ns=$((ns1-ns0)) -v tu=$((tu1-tu0)) -v ts=$((ts1-ts0)) 'BEGIN {
  s = 4 * r / 1e6   # deliveries (millions) in the 4 s window -> ticks/hz/s = µs per delivery
  printf "%s %.0f%% user %.0f%% sys, tool %.0f%% user %.0f%% sys (of one vCPU)\n", who, 100*nu/hz/4, 100*ns/hz/4, 100*tu/hz/4, 100*ts/hz/4
  if (r > 0) printf "µs per delivery: %s %.2f (%.2f + %.2f), tool %.2f (%.2f + %.2f); at 200%% CPU: %.0f/s, kernel only: %.0f/s\n",
    who, (nu+ns)/hz/s, nu/hz/s, ns/hz/s, (tu+ts)/hz/s, tu/hz/s, ts/hz/s, 2*r*4/((nu+ns+tu+ts)/hz), 2*r*4/((ns+ts)/hz)
  if (r > 0 && sent > 0) printf "%s socket sends per delivery: %.3f (%.1f messages per send)\n", who, sent/(4*r), 4*r/sent }'
