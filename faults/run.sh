#!/usr/bin/env bash
# The fault campaign (issue 12): three real node processes, each in its own network namespace (as root; 127.0.0.x
# without), clients on every node saying numbered messages, one fault per phase. Prints per fault: acknowledged
# messages lost, duplicates, reorders, seconds until presence is exact, seconds until every room carries messages.
# Exit status 1 when any acknowledged message was lost, duplicated or reordered.
#   faults/run.sh            the long campaign (for docs/reliability.md; ~10 minutes)
#   faults/run.sh --short    kill -9, minority partition, redis restart (CI; a few minutes)
#   faults/run.sh --history [--short] [--with-redis]   the history chaos run (issue 17, docs/reliability.md "History
#                            under faults"): readers reconnect with since while nodes are killed; missed (under
#                            recovered true / false), duplicates, reorders per reader (short: ~1 minute; long: ~5)
# Ports: 21010-21011 in each node's namespace, redis 21020 on the bridge (21021 for --history). Needs: ip, iptables (installed when
# missing), redis-server, redis-cli.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && ! command -v iptables >/dev/null 2>&1; then
  echo "installing iptables" >&2
  (apt-get install -y -qq iptables || (apt-get update -qq && apt-get install -y -qq iptables)) >/dev/null
fi
dotnet build -c Release -nologo -v q ChatCluster.Bench >/dev/null
NODE_DLL="$PWD/ChatCluster.Host/bin/Release/net10.0/ChatCluster.Host.dll"
NET_ID=$(( $$ % 10000 ))
# Whatever happens to the campaign (timeout, crash), its namespaces, bridge and processes go: only ours, by our id.
cleanup() {
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^ccf${NET_ID}n[0-9]+$" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del "ccf${NET_ID}br" 2>/dev/null || true
}
trap cleanup EXIT
status=0
timeout --kill-after=30 "${FAULTS_TIMEOUT:-1500}" \
  dotnet ChatCluster.Bench/bin/Release/net10.0/ChatCluster.Bench.dll faults --node-dll "$NODE_DLL" --net-id "$NET_ID" "$@" || status=$?
exit $status
