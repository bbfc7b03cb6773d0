using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace ChatCluster.Node.Operations;

/// <summary>The node's one log pipeline: ChatCluster's loggers and Akka's (through <see cref="AkkaLogger"/>) share it.</summary>
public static class NodeLogging
{
    public static ILoggerFactory Create(LogLevel level, LogFormat format, ILoggerProvider? extra = null, Action<ILoggingBuilder>? more = null)
    {
        var factory = Build(level, format, extra, more);
        AkkaStartupLogger.Use(factory);
        return factory;
    }

    private static ILoggerFactory Build(LogLevel level, LogFormat format, ILoggerProvider? extra, Action<ILoggingBuilder>? more) => LoggerFactory.Create(b =>
    {
        if (format == LogFormat.Json)
            b.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        else
            b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        if (extra is not null) b.AddProvider(extra);
        b.SetMinimumLevel(level).AddFilter("Microsoft", LogLevel.Warning)
            // An unhealthy probe is the node reporting its state, not an error: the drain and start log their own steps.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);
        more?.Invoke(b);
    });
}
