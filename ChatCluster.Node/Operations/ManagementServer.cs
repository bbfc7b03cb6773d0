using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace ChatCluster.Node.Operations;

/// <summary>
/// The operator's listener, apart from the public ports: <c>GET /metrics</c> (Prometheus text, OpenTelemetry's
/// exporter reading this node's meter only), <c>/healthz/live</c> (the process answers) and <c>/healthz/ready</c>
/// (<see cref="NodeReadiness"/>), both ASP.NET Core health checks (200 Healthy / 503 Unhealthy).
/// </summary>
public sealed class ManagementServer : IAsyncDisposable
{
    /// <summary>The service name in <c>target_info</c>.</summary>
    public const string ServiceName = "chatcluster";

    private readonly WebApplication _app;

    private ManagementServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>The bound port (the real one when configured as 0).</summary>
    public int Port { get; }

    public static async Task<ManagementServer> StartAsync(OperationsSettings settings, Meter meter, NodeReadiness readiness,
        ILoggerFactory loggers, CancellationToken cancellation)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        var address = settings.ManagementHost == "localhost" ? IPAddress.Loopback : IPAddress.Parse(settings.ManagementHost);
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(address, settings.ManagementPort, o => listen = o);
        });
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceVersion: meter.Version))
            .WithMetrics(m => m
            .AddMeter(meter.Name)
            // Every node's meter has the same name; this node's exporter keeps only its own instruments.
            .AddView(instrument => ReferenceEquals(instrument.Meter, meter) ? null : MetricStreamConfiguration.Drop)
            .AddPrometheusExporter());
        builder.Services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("process up"), tags: new[] { "live" })
            .AddCheck("node", new ReadinessCheck(readiness), tags: new[] { "ready" });
        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapHealthChecks("/healthz/live", Options("live"));
        app.MapHealthChecks("/healthz/ready", Options("ready"));
        await app.StartAsync(cancellation);
        var port = listen?.IPEndPoint?.Port ?? 0;
        OperationsLog.ManagementListening(loggers.CreateLogger("ChatCluster.Management"), settings.ManagementHost, port);
        return new ManagementServer(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }

    // The body says why a node is not ready, so a probe's log shows it.
    private static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = (context, report) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            var reasons = report.Entries.Values.Select(e => e.Description).Where(d => !string.IsNullOrEmpty(d));
            return context.Response.WriteAsync($"{report.Status}: {string.Join("; ", reasons)}\n");
        },
    };

    private sealed class ReadinessCheck(NodeReadiness readiness) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var missing = readiness.Missing();
            return Task.FromResult(missing.Count == 0 ? HealthCheckResult.Healthy("ready") : HealthCheckResult.Unhealthy(string.Join(", ", missing)));
        }
    }
}
