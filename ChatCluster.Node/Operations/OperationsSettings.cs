using Akka.Configuration;

namespace ChatCluster.Node.Operations;

/// <summary>
/// The operator's part of the <c>chatcluster</c> section: the management listener, the drain, the log format.
/// Checked once at start; a bad value names its key.
/// </summary>
public sealed record OperationsSettings(
    bool ManagementEnabled,
    string ManagementHost,
    int ManagementPort,
    TimeSpan StatsInterval,
    TimeSpan UnreadyDelay,
    LogFormat LogFormat)
{
    public const string UnreadyPhaseTimeoutKey = "akka.coordinated-shutdown.phases.before-service-unbind.timeout";

    public static OperationsSettings Create(Config root)
    {
        var c = root.GetConfig("chatcluster") ?? throw new ConfigurationException("missing section: chatcluster");
        var format = c.GetString("log-format", "text");
        var settings = new OperationsSettings(
            ManagementEnabled: c.GetBoolean("management.enabled"),
            ManagementHost: c.GetString("management.host"),
            ManagementPort: c.GetInt("management.port"),
            StatsInterval: c.GetTimeSpan("management.stats-interval"),
            UnreadyDelay: c.GetTimeSpan("drain.unready-delay"),
            LogFormat: ParseFormat(format));
        Check(settings.ManagementPort is >= 0 and <= 65535, $"chatcluster.management.port must be 0..65535, was {settings.ManagementPort}");
        Check(System.Net.IPAddress.TryParse(settings.ManagementHost, out _) || settings.ManagementHost == "localhost",
            $"chatcluster.management.host must be an IP address or localhost, was {settings.ManagementHost}");
        Check(settings.StatsInterval > TimeSpan.Zero, "chatcluster.management.stats-interval must be positive");
        Check(settings.UnreadyDelay >= TimeSpan.Zero, "chatcluster.drain.unready-delay must be 0 or more");
        var phase = root.GetTimeSpan(UnreadyPhaseTimeoutKey, TimeSpan.FromSeconds(5));
        Check(settings.UnreadyDelay < phase,
            $"chatcluster.drain.unready-delay ({settings.UnreadyDelay.TotalSeconds}s) must be below {UnreadyPhaseTimeoutKey} ({phase.TotalSeconds}s)");
        return settings;
    }

    public static LogFormat ParseFormat(string value) => value.ToLowerInvariant() switch
    {
        "text" => LogFormat.Text,
        "json" => LogFormat.Json,
        _ => throw new ConfigurationException($"chatcluster.log-format must be text or json, was {value}"),
    };

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ConfigurationException(message);
    }
}

public enum LogFormat
{
    Text,
    Json,
}
