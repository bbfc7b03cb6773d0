#!/usr/bin/env bash
# CPU per delivery, split into user and kernel time, for the node and the load tool: starts a fresh node (Release
# build, rooms defaultRoom + room0..room99), runs the scenario once as warm-up, then reads /proc/<pid>/stat
# (utime, stime) of both processes over 4 s in the middle of an 8 s run. Prints the tool's result line and the split.
# Never part of the test suite.
#
#   bench/cpu-split.sh fanout --clients 100 --senders 10 --rate 0 --window 1
#   bench/cpu-split.sh rooms --clients 1000 --rooms 100 --rate 0 --window 1
#   bench/cpu-split.sh fanout --clients 1000 --senders 10 --rate 30
set -euo pipefail
cd "$(dirname "$0")/.."
WEB=8380 TCP=5300
(exec 3<>"/dev/tcp/127.0.0.1/$WEB") 2>/dev/null && { echo "port $WEB is busy" >&2; exit 1; }
for p in ChatCluster.Host ChatCluster.Bench; do dotnet build -c Release -nologo -v q $p >/dev/null; done
ROOMS="defaultRoom,$(seq -s, -f 'room%g' 0 99)"
dotnet ChatCluster.Host/bin/Release/net10.0/ChatCluster.Host.dll --config bench.conf --management-port 0 --cmd-port 0 --tcp-port $TCP --web-port $WEB --rooms "$ROOMS" \
  --log-level warning >/dev/null 2>&1 </dev/null &
NODE=$!
trap 'kill $NODE 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do (exec 3<>"/dev/tcp/127.0.0.1/$WEB") 2>/dev/null && break; sleep 0.1; done
TOOL=(dotnet ChatCluster.Bench/bin/Release/net10.0/ChatCluster.Bench.dll "$@" --url "ws://127.0.0.1:$WEB/primus" --port $TCP --pid $NODE)
"${TOOL[@]}" --seconds 3 >/dev/null 2>&1
OUT="$(mktemp)"
"${TOOL[@]}" --seconds 8 >"$OUT" 2>&1 &
TP=$!
ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }   # utime stime, in clock ticks
sleep 3
read -r nu0 ns0 < <(ticks $NODE); read -r tu0 ts0 < <(ticks $TP)
sleep 4
read -r nu1 ns1 < <(ticks $NODE); read -r tu1 ts1 < <(ticks $TP)
wait $TP
grep -v '^{' "$OUT" | tail -1
HZ=$(getconf CLK_TCK)
RATE=$(grep '^{' "$OUT" | tail -1 | grep -o '"deliveredPerSecInWindow":[0-9.]*' | cut -d: -f2)
rm -f "$OUT"
awk -v hz="$HZ" -v r="$RATE" -v nu=$((nu1-nu0)) -v ns=$((ns1-ns0)) -v tu=$((tu1-tu0)) -v ts=$((ts1-ts0)) 'BEGIN {
  s = 4 * r / 1e6   # deliveries (millions) in the 4 s window -> ticks/hz/s = µs per delivery
  printf "node %.0f%% user %.0f%% sys, tool %.0f%% user %.0f%% sys (of one vCPU)\n", 100*nu/hz/4, 100*ns/hz/4, 100*tu/hz/4, 100*ts/hz/4
  if (r > 0) printf "µs per delivery: node %.2f (%.2f + %.2f), tool %.2f (%.2f + %.2f); at 200%% CPU: %.0f/s, kernel only: %.0f/s\n",
    (nu+ns)/hz/s, nu/hz/s, ns/hz/s, (tu+ts)/hz/s, tu/hz/s, ts/hz/s, 2*r*4/((nu+ns+tu+ts)/hz), 2*r*4/((ns+ts)/hz) }'
