#!/usr/bin/env bash
# crossnode A/B: DistributedPubSub started (A) vs not (B), same build, alternated A B B A ...
# Ports 21400-21444. Prints "A|B <crossnode JSON line>" per run. Needs a Release build (dotnet build -c Release ChatCluster.slnx).
set -u
cd "$(dirname "$0")/.."
order="A B B A A B B A"
for v in $order; do
  if [ "$v" = A ]; then export akka__extensions__0="Akka.Cluster.Tools.PublishSubscribe.DistributedPubSubExtensionProvider, Akka.Cluster.Tools"; else unset akka__extensions__0; fi
  BASE_TCP=21400 BASE_WEB=21410 BASE_MANAGEMENT=21420 BASE_CMD=21430 AKKA_PORT=21440 scripts/cluster-start.sh >/tmp/xab-start.log 2>&1 || { echo "start failed"; cat /tmp/xab-start.log; scripts/cluster-stop.sh; exit 1; }
  out=$(dotnet ChatCluster.Bench/bin/Release/net10.0/ChatCluster.Bench.dll crossnode --seed-port 21400 --worker1-port 21401 --worker2-port 21402 --seconds 10 2>/dev/null | tail -1)
  echo "$v $out"
  scripts/cluster-stop.sh >/dev/null 2>&1
done
