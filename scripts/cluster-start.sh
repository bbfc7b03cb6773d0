#!/usr/bin/env bash
# Start a local 3-node ChatCluster on 127.0.0.1: one seed and two workers, each with its own TCP and websocket
# port. Pids and logs go to run/cluster/; stop it with scripts/cluster-stop.sh.
#
# A node counts as started when its management listener answers GET /healthz/ready with 200 (member Up, listeners
# bound, starting rooms created, Redis connected when configured).
#
#   scripts/cluster-start.sh                 # seed: tcp 5000 ws 8080 akka 4053 management 9464 ccm 9110;
#                                            # workers: 5001/8081/9465/9111, 5002/8082/9466/9112
#   BASE_TCP=6000 BASE_WEB=9080 BASE_MANAGEMENT=9564 BASE_CMD=9210 AKKA_PORT=4153 scripts/cluster-start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BASE_TCP=${BASE_TCP:-5000}
BASE_WEB=${BASE_WEB:-8080}
BASE_MANAGEMENT=${BASE_MANAGEMENT:-9464}
AKKA_PORT=${AKKA_PORT:-4053}
BASE_CMD=${BASE_CMD:-9110}
WORKERS=${WORKERS:-2}
CONFIGURATION=${CONFIGURATION:-Release}
EXTRA=${EXTRA_ARGS:-}
RUN=run/cluster
mkdir -p "$RUN"
if ls "$RUN"/*.pid >/dev/null 2>&1; then
  echo "run/cluster has pid files: stop the running cluster first (scripts/cluster-stop.sh)" >&2
  exit 1
fi

dotnet build -c "$CONFIGURATION" ChatCluster.Host -v quiet -nologo >"$RUN/build.log" 2>&1 || { cat "$RUN/build.log"; exit 1; }
DLL=ChatCluster.Host/bin/$CONFIGURATION/net10.0/ChatCluster.Host.dll
SEED="akka.tcp://chatcluster@127.0.0.1:$AKKA_PORT"

start() { # name, args...
  local name=$1; shift
  nohup dotnet "$DLL" "$@" $EXTRA >"$RUN/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

wait_up() { # name, management port
  for _ in $(seq 1 120); do
    if curl -sf -o /dev/null "http://127.0.0.1:$2/healthz/ready"; then return 0; fi
    if ! kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; then echo "$1 exited:" >&2; tail -20 "$RUN/$1.log" >&2; return 1; fi
    sleep 0.5
  done
  echo "$1 did not become ready in 60 s: $(curl -s "http://127.0.0.1:$2/healthz/ready")" >&2; tail -20 "$RUN/$1.log" >&2; return 1
}

start seed seed --akka-port "$AKKA_PORT" --seed-nodes "$SEED" --tcp-port "$BASE_TCP" --web-port "$BASE_WEB" --management-port "$BASE_MANAGEMENT" --cmd-port "$BASE_CMD"
wait_up seed "$BASE_MANAGEMENT"
for i in $(seq 1 "$WORKERS"); do
  start "worker$i" worker --seed-nodes "$SEED" --tcp-port $((BASE_TCP + i)) --web-port $((BASE_WEB + i)) --management-port $((BASE_MANAGEMENT + i)) --cmd-port $((BASE_CMD + i))
done
for i in $(seq 1 "$WORKERS"); do wait_up "worker$i" $((BASE_MANAGEMENT + i)); done
echo "management (/metrics, /healthz/ready): http://127.0.0.1:$BASE_MANAGEMENT .. $((BASE_MANAGEMENT + WORKERS))"

echo "ChatCluster up (pids in $RUN):"
echo "  seed     pid $(cat $RUN/seed.pid)  tcp 127.0.0.1:$BASE_TCP  ws://127.0.0.1:$BASE_WEB/primus  ccm 127.0.0.1:$BASE_CMD  cluster $SEED"
for i in $(seq 1 "$WORKERS"); do
  echo "  worker$i  pid $(cat $RUN/worker$i.pid)  tcp 127.0.0.1:$((BASE_TCP + i))  ws://127.0.0.1:$((BASE_WEB + i))/primus  ccm 127.0.0.1:$((BASE_CMD + i))"
done
