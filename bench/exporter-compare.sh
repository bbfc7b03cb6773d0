#!/usr/bin/env bash
# How the metrics exporter was chosen (docs/benchmarks.md, "Metrics exporter"): the same Meter served at /metrics by
# OpenTelemetry's Prometheus exporter and by prometheus-net's MeterAdapter, each filtered to that one meter as the
# node does; measures Counter<long>.Add with the exporter listening (ns per call) and a scrape (ms, bytes).
# Builds a throw-away project in a temp folder (not part of the solution). Port 26901.
set -euo pipefail
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
cat >"$DIR/exp.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><OutputType>Exe</OutputType><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="OpenTelemetry.Exporter.Prometheus.AspNetCore" Version="1.20.1-beta.1" />
    <PackageReference Include="OpenTelemetry.Extensions.Hosting" Version="1.21.0" />
    <PackageReference Include="prometheus-net.AspNetCore" Version="8.2.1" />
  </ItemGroup>
</Project>
XML
cat >"$DIR/Program.cs" <<'CS'
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using Prometheus;

var which = args[0];
var meter = new Meter("ChatCluster");
var counter = meter.CreateCounter<long>("chatcluster_test_total");
var hist = meter.CreateHistogram<double>("chatcluster_action_duration", "s");
for (var i = 0; i < 10; i++) { var n = i; meter.CreateObservableGauge("chatcluster_gauge_" + i, () => new[] { new Measurement<long>(n, new KeyValuePair<string, object?>("transport", "socket")), new Measurement<long>(n, new KeyValuePair<string, object?>("transport", "websocket")) }); }
var b = WebApplication.CreateSlimBuilder();
b.Logging.ClearProviders();
b.WebHost.UseUrls("http://127.0.0.1:26901");
IDisposable? adapter = null;
if (which == "otel")
    b.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter("ChatCluster").AddView(i => i.Meter == meter ? null : MetricStreamConfiguration.Drop).AddPrometheusExporter());
var app = b.Build();
if (which == "otel") app.MapPrometheusScrapingEndpoint("/metrics");
else
{
    Metrics.SuppressDefaultMetrics();
    var reg = Metrics.NewCustomRegistry();
    adapter = MeterAdapter.StartListening(new MeterAdapterOptions { InstrumentFilterPredicate = i => i.Meter == meter, Registry = reg });
    app.MapMetrics("/metrics", reg);
}
var t0 = Stopwatch.GetTimestamp();
await app.StartAsync();
Console.WriteLine($"{which}: start {Stopwatch.GetElapsedTime(t0).TotalMilliseconds:F0} ms");
for (var k = 0; k < 5; k++) hist.Record(k * 0.01, new KeyValuePair<string, object?>("action", "status"));
// hot path: Counter.Add with listener attached
for (var round = 0; round < 3; round++)
{
    var s = Stopwatch.GetTimestamp();
    for (var i = 0; i < 5_000_000; i++) counter.Add(1);
    Console.WriteLine($"{which}: Counter.Add {Stopwatch.GetElapsedTime(s).TotalNanoseconds / 5_000_000:F1} ns");
}
using var http = new HttpClient();
var body = await http.GetStringAsync("http://127.0.0.1:26901/metrics");
for (var round = 0; round < 3; round++)
{
    var s = Stopwatch.GetTimestamp();
    for (var i = 0; i < 200; i++) body = await http.GetStringAsync("http://127.0.0.1:26901/metrics");
    Console.WriteLine($"{which}: scrape {Stopwatch.GetElapsedTime(s).TotalMilliseconds / 200:F2} ms, {body.Length} bytes");
}
var gcBefore = GC.GetAllocatedBytesForCurrentThread();
Console.WriteLine($"{which}: alloc total {GC.GetTotalAllocatedBytes() / 1024 / 1024} MB");
Console.WriteLine(body.Split('\n').Where(l => l.Contains("test_total") || l.Contains("gauge_1")).Take(6).Aggregate("", (a, l) => a + l + "\n"));
await app.StopAsync();
CS
dotnet build -c Release -nologo -v q "$DIR/exp.csproj" >"$DIR/build.log" 2>&1 || { tail -20 "$DIR/build.log"; exit 1; }
for w in otel prom otel prom; do dotnet "$DIR/bin/Release/net10.0/exp.dll" $w; done
