#!/usr/bin/env bash
# Benchmark matrix: ChatCluster, the ActionHero peer and the SignalR peer measured with OUR load tool
# (ChatCluster.Bench) in the same run, alternating servers scenario by scenario; appends one JSON line per
# run to $OUT and prints the markdown summary at the end. Never part of the test suite.
#
#   bench/run-matrix.sh                         # modest sizes, 1 repetition, all servers
#   REPS=3 SECONDS_PER_RUN=10 bench/run-matrix.sh
#   SERVERS="cc sr" SCENARIOS="fanout-100-max connect-5000" bench/run-matrix.sh
#   SCENARIOS="connect-19000-mem" bench/run-matrix.sh      # memory per idle connection at 19,000
#
# Servers (labels are <server>-<scenario>): cc = one ChatCluster node (Release build, rooms defaultRoom +
# room0..room99); cc3 = three ChatCluster nodes in one cluster, clients spread over them (multi-node row; the
# websocket chat scenarios only, not connect or tcp);
# ah = ../shared/peers/actionhero (beside the repo) (EXTRA_ROOMS=100, its own redis); sr = ../shared/peers/signalr.
# Scenarios: fanout-100-max fanout-1000-max fanout-1000-30 rooms-1000-100 connect-5000 (default), plus
# connect-19000-mem and the TCP line protocol (cc and ah; ah's socket server is the official plugin, the SignalR
# peer has no TCP): tcp-fanout-100-max tcp-fanout-1000-max tcp-rooms-1000-100 tcp-connect-5000.
# Env: REPS (1) SECONDS_PER_RUN (10) OUT (bench/results/matrix.jsonl) PEERS (../shared/peers, beside the repo)
#      WARMUP (2: seconds of each chat scenario's load before its measured window, for every server alike)
#      WARMUP_CLIENTS (2000: connect-5000 opens and closes these first; the memory scenario stays cold)
#      QUIET_LOAD (1.0: wait until the 1-min load average is below this, at most QUIET_WAIT=20 s)
#      OTHER_MAX (25) MAX_TRIES (2: repeat a run whose otherPct, CPU of other processes, is above OTHER_MAX)
# Ports: cc tcp 5300 / web 8380 (cc3: 8380-8382, akka 4453); ah web 8280 tcp 5490 redis 6490; sr 8290.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
REPS="${REPS:-1}"
SECS="${SECONDS_PER_RUN:-10}"
WARMUP="${WARMUP:-2}"                  # chat scenarios: seconds of the same load first, not counted
WARMUP_CLIENTS="${WARMUP_CLIENTS:-2000}" # connect-5000: connections opened and closed first (connect-19000-mem: cold)
SERVERS="${SERVERS:-cc ah sr}"
SCENARIOS="${SCENARIOS:-fanout-100-max fanout-1000-max fanout-1000-30 rooms-1000-100 connect-5000}"
OUT="${OUT:-$ROOT/bench/results/matrix.jsonl}"
PEERS="${PEERS:-$ROOT/../shared/peers}"
QUIET_LOAD="${QUIET_LOAD:-1.0}"
QUIET_WAIT="${QUIET_WAIT:-20}"
OTHER_MAX="${OTHER_MAX:-25}"
MAX_TRIES="${MAX_TRIES:-2}"
RUN="$ROOT/bench/run"
mkdir -p "$RUN" "$(dirname "$OUT")"
# The peers write pid files, logs (and ActionHero its node_modules) beside themselves: they run from a copy in
# bench/run/peers (kept between runs, so npm ci runs once), never from ../shared itself. Refreshed from PEERS each run;
# -a keeps the SignalR peer's build stamp newer than its sources, so it is not rebuilt.
PEER_COPY="$RUN/peers"
mkdir -p "$PEER_COPY"
for p in actionhero signalr; do [ -d "$PEERS/$p" ] && cp -a "$PEERS/$p" "$PEER_COPY/" && rm -f "$PEER_COPY/$p/run/"*.pid; done
PEERS="$PEER_COPY"
rm -f "$RUN"/*.up
CC_TCP=5300 CC_WEB=8380 CC_AKKA=4453 AH_WEB=8280 AH_TCP=5490 AH_REDIS=6490 SR_PORT=8290
# Every ChatCluster node also opens a management listener (default 9464) and a ccm listener (default 9110): on any
# free port here, so the three cc3 nodes (and a node someone else runs on this machine) do not collide. Before, cc3's
# second node failed to bind 9464 and start_cc3 ended the whole script: no cc3 row.
CC_SIDE_PORTS="--management-port 0 --cmd-port 0"
NODE_DLL="$ROOT/ChatCluster.Host/bin/Release/net10.0/ChatCluster.Host.dll"
TOOL=(dotnet "$ROOT/ChatCluster.Bench/bin/Release/net10.0/ChatCluster.Bench.dll")
ROOMS="defaultRoom,$(seq -s, -f 'room%g' 0 99)"
log() { echo "[matrix $(date +%H:%M:%S)] $*" >&2; }

log "building (Release)"
dotnet build -c Release -nologo -v q ChatCluster.Host >"$RUN/build.log" 2>&1 || { tail -20 "$RUN/build.log"; exit 1; }
dotnet build -c Release -nologo -v q ChatCluster.Bench >>"$RUN/build.log" 2>&1 || { tail -20 "$RUN/build.log"; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# ---------------------------------------------------------------- servers
wait_port() { for _ in $(seq 1 150); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
start_cc() {   # one node
  # shellcheck disable=SC2086
  setsid dotnet "$NODE_DLL" --config bench.conf $CC_SIDE_PORTS --tcp-port "$CC_TCP" --web-port "$CC_WEB" --rooms "$ROOMS" --log-level warning \
    >"$RUN/cc.log" 2>&1 </dev/null & echo $! >"$RUN/cc.pid"
  wait_port "$CC_WEB" && wait_port "$CC_TCP" || { tail -20 "$RUN/cc.log"; exit 1; }
}
# A node that has not ended 5 s after SIGTERM is killed: the next server must find its ports free.
stop_pidfile() { [ -f "$1" ] && { kill "$(cat "$1")" 2>/dev/null || true; for _ in $(seq 1 50); do kill -0 "$(cat "$1")" 2>/dev/null || break; sleep 0.1; done; kill -9 "$(cat "$1")" 2>/dev/null || true; rm -f "$1"; }; return 0; }
stop_cc() { stop_pidfile "$RUN/cc.pid"; }
start_cc3() {  # seed + 2 workers, one cluster; web ports 8380..8382
  local seed="akka.tcp://chatcluster@127.0.0.1:$CC_AKKA"
  # shellcheck disable=SC2086
  setsid dotnet "$NODE_DLL" seed --config bench.conf $CC_SIDE_PORTS --akka-port "$CC_AKKA" --seed-nodes "$seed" --tcp-port "$CC_TCP" --web-port "$CC_WEB" \
    --rooms "$ROOMS" --log-level warning >"$RUN/cc3-0.log" 2>&1 </dev/null & echo $! >"$RUN/cc3-0.pid"
  wait_port "$CC_WEB" || { tail -20 "$RUN/cc3-0.log"; exit 1; }
  for k in 1 2; do
    # shellcheck disable=SC2086
    setsid dotnet "$NODE_DLL" worker --config bench.conf $CC_SIDE_PORTS --seed-nodes "$seed" --tcp-port $((CC_TCP + k)) --web-port $((CC_WEB + k)) \
      --rooms "$ROOMS" --log-level warning >"$RUN/cc3-$k.log" 2>&1 </dev/null & echo $! >"$RUN/cc3-$k.pid"
  done
  wait_port $((CC_WEB + 1)) && wait_port $((CC_WEB + 2)) || { tail -20 "$RUN/cc3-1.log"; exit 1; }
  sleep 5 # members up, shard coordinator reachable from every node
}
stop_cc3() { for k in 2 1 0; do stop_pidfile "$RUN/cc3-$k.pid"; done; }
start_ah() { (cd "$PEERS/actionhero" && EXTRA_ROOMS=100 WEB_PORT=$AH_WEB SOCKET_PORT=$AH_TCP REDIS_PORT=$AH_REDIS ./start.sh >"$RUN/ah-start.log" 2>&1) || { cat "$RUN/ah-start.log"; exit 1; }; }
stop_ah() { "$PEERS/actionhero/stop.sh" >/dev/null 2>&1 || true; }
start_sr() { (cd "$PEERS/signalr" && PORT=$SR_PORT ./start.sh >"$RUN/sr-start.log" 2>&1) || { cat "$RUN/sr-start.log"; exit 1; }; }
stop_sr() { "$PEERS/signalr/stop.sh" >/dev/null 2>&1 || true; }
stop_all() { stop_cc; stop_cc3; stop_ah; stop_sr; }
trap stop_all EXIT

# tool arguments that point at a server: URL (websocket) or port (TCP scenarios), protocol, pid(s)
target() {
  case "$1" in
    cc)  echo "--url ws://127.0.0.1:$CC_WEB/primus --port $CC_TCP --pid $(cat "$RUN/cc.pid")" ;;
    cc3) echo "--url ws://127.0.0.1:$CC_WEB/primus,ws://127.0.0.1:$((CC_WEB + 1))/primus,ws://127.0.0.1:$((CC_WEB + 2))/primus --pid $(cat "$RUN/cc3-0.pid"),$(cat "$RUN/cc3-1.pid"),$(cat "$RUN/cc3-2.pid")" ;;
    ah)  echo "--url ws://127.0.0.1:$AH_WEB/primus --port $AH_TCP --pid $(cat "$PEERS/actionhero/run/actionhero.pid") --redis-pid $(cat "$PEERS/actionhero/run/redis.pid")" ;;
    sr)  echo "--protocol signalr --url ws://127.0.0.1:$SR_PORT/chat --pid $(cat "$PEERS/signalr/run/signalr.pid")" ;;
  esac
}
scenario_args() {
  case "$1" in
    fanout-100-max)      echo "fanout --clients 100 --senders 10 --rate 0 --window 1 --seconds $SECS --warmup $WARMUP" ;;
    fanout-1000-max)     echo "fanout --clients 1000 --senders 10 --rate 0 --window 1 --seconds $SECS --warmup $WARMUP" ;;
    fanout-1000-30)      echo "fanout --clients 1000 --senders 10 --rate 30 --seconds $SECS --warmup $WARMUP" ;;
    rooms-1000-100)      echo "rooms --clients 1000 --rooms 100 --rate 0 --window 1 --seconds $SECS --warmup $WARMUP" ;;
    tcp-fanout-100-max)  echo "fanout --transport tcp --clients 100 --senders 10 --rate 0 --window 1 --seconds $SECS --warmup $WARMUP" ;;
    tcp-fanout-1000-max) echo "fanout --transport tcp --clients 1000 --senders 10 --rate 0 --window 1 --seconds $SECS --warmup $WARMUP" ;;
    tcp-rooms-1000-100)  echo "rooms --transport tcp --clients 1000 --rooms 100 --rate 0 --window 1 --seconds $SECS --warmup $WARMUP" ;;
    tcp-connect-5000)    echo "connect --transport tcp --clients 5000 --concurrency 200 --warmup-clients $WARMUP_CLIENTS" ;;
    connect-5000)        echo "connect --clients 5000 --concurrency 200 --warmup-clients $WARMUP_CLIENTS" ;;
    connect-19000-mem)   echo "connect --clients 19000 --concurrency 200 --processes 2 --local-addresses 2 --hold 5" ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}
applies() { # server scenario -> true when the pair makes sense
  case "$1:$2" in
    # The multi-node row: the websocket chat scenarios with the clients spread over 3 nodes. (It used to apply to
    # fanout-1000-max only, so SCENARIOS="rooms-1000-100 fanout-100-max" printed no cc3 line at all.)
    cc3:fanout-100-max|cc3:fanout-1000-max|cc3:fanout-1000-30|cc3:rooms-1000-100) true ;;
    cc3:*) false ;;
    *:tcp-*) [ "$1" = cc ] || [ "$1" = ah ] ;; # TCP line protocol: the SignalR peer has none
    *) true ;;
  esac
}

wait_quiet() {
  local t=0
  while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v q="$QUIET_LOAD" 'BEGIN{exit !(l > q)}'; do
    [ "$t" -ge "$QUIET_WAIT" ] && { log "machine still busy (load $(cut -d' ' -f1-3 /proc/loadavg)); running anyway, see otherPct"; return; }
    sleep 5; t=$((t + 5))
  done
}

run_one() { # server scenario rep
  local server="$1" scen="$2" try line other
  for try in $(seq 1 "$MAX_TRIES"); do
    # connect measures the RSS delta: a retry needs a fresh server, not one that already held the clients
    case "$2" in *connect-*) [ "$try" -gt 1 ] && { stop_server "$server"; start_server "$server"; sleep 2; } ;; esac
    wait_quiet
    log "$server $scen (rep $3, try $try; load $(cut -d' ' -f1-3 /proc/loadavg))"
    # shellcheck disable=SC2046
    line="$("${TOOL[@]}" $(scenario_args "$scen") $(target "$server") --label "$server-$scen" 2>"$RUN/last-run.err" | tail -1)" || true
    tail -1 "$RUN/last-run.err" >&2
    [ -n "$line" ] || { log "no result line"; continue; }
    echo "$line" >>"$OUT"
    other="$(echo "$line" | grep -o '"otherPct":[-0-9.]*' | tail -1 | cut -d: -f2)"
    if [ -n "$other" ] && awk -v o="$other" -v m="$OTHER_MAX" 'BEGIN{exit !(o > m)}'; then
      log "otherPct $other > $OTHER_MAX: other processes disturbed the run"
      continue
    fi
    return 0
  done
}

start_server() { "start_$1"; }
stop_server() { "stop_$1"; }

for rep in $(seq 1 "$REPS"); do
  # chat scenarios: every server up at once (idle ones cost ~nothing), alternating server by server
  order="$SERVERS"
  [ $((rep % 2)) -eq 0 ] && order="$(echo "$SERVERS" | tr ' ' '\n' | tac | tr '\n' ' ')"
  for scen in $SCENARIOS; do
    case "$scen" in *connect-*) continue ;; esac
    for s in $order; do
      applies "$s" "$scen" || continue
      [ "$s" = cc3 ] && continue
      [ -f "$RUN/$s.up" ] || { start_server "$s"; touch "$RUN/$s.up"; }
    done
    for s in $order; do
      applies "$s" "$scen" || continue
      if [ "$s" = cc3 ]; then stop_cc; rm -f "$RUN/cc.up"; start_cc3; run_one cc3 "$scen" "$rep"; stop_cc3; continue; fi
      [ -f "$RUN/$s.up" ] || { start_server "$s"; touch "$RUN/$s.up"; }
      run_one "$s" "$scen" "$rep"
    done
  done
  for s in $SERVERS; do stop_server "$s"; rm -f "$RUN/$s.up"; done
  # connect scenarios: a fresh server each, so the RSS delta is only the new connections
  for scen in $SCENARIOS; do
    case "$scen" in *connect-*) ;; *) continue ;; esac
    for s in $order; do
      [ "$s" = cc3 ] && continue
      applies "$s" "$scen" || continue
      start_server "$s"; sleep 2
      run_one "$s" "$scen" "$rep"
      stop_server "$s"
    done
  done
done
log "results appended to $OUT"
"${TOOL[@]}" summarize "$OUT"
