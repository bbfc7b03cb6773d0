#!/bin/bash
# Starts a node (built in NODEDIR, default this repo) on port 22001/22002, runs a client script against it and prints
# the node's RSS every second, then the node's limit log lines. Extra node arguments in NODEARGS; a file-descriptor
# limit in NOFILE (runs the node under prlimit).
# usage: bench/abuse/measure.sh bench/abuse/burst.py 22001 200000
here=$(cd "$(dirname "$0")" && pwd)
dir=${NODEDIR:-$here/../..}
log=$(mktemp)
wrap=()
[ -n "$NOFILE" ] && wrap=(prlimit --nofile=$NOFILE:$NOFILE)
(cd "$dir/ChatCluster.Host/bin/Debug/net10.0" && exec "${wrap[@]}" dotnet ChatCluster.Host.dll $NODEARGS --tcp-port 22001 --web-port 22002) > "$log" 2>&1 &
pid=$!
for i in $(seq 60); do grep -q " up: tcp" "$log" && break; sleep 1; done
echo "node up rss $(grep VmRSS /proc/$pid/status | awk '{print $2}') kB fds $(ls /proc/$pid/fd | wc -l)"
python3 "$@" &
cpid=$!
t=0
while kill -0 $cpid 2>/dev/null; do
  sleep 1; t=$((t+1))
  if kill -0 $pid 2>/dev/null; then echo "t=$t rss $(grep VmRSS /proc/$pid/status | awk '{print $2}') kB fds $(ls /proc/$pid/fd | wc -l)"; else echo "t=$t node gone"; fi
done
wait $cpid
kill $pid 2>/dev/null; wait $pid; echo "node exit $?"
grep -E "\[1[01][0-9][0-9]\]|Out of memory" "$log" | cut -c1-300 | head -8
rm -f "$log"
