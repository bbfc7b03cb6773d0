using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Hosting;

/// <summary>How to start a node: HOCON override lines (highest priority first), extra HOCON files, log level.</summary>
public sealed record NodeOptions
{
    public IReadOnlyList<string> Overrides { get; init; } = Array.Empty<string>();

    public IReadOnlyList<string> ConfigFiles { get; init; } = Array.Empty<string>();

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>An extra log destination beside the console (tests read the node's log lines from it).</summary>
    public ILoggerProvider? LogProvider { get; init; }

    /// <summary>Name of the actor system; every node of one cluster must use the same.</summary>
    public string SystemName { get; init; } = "chatcluster";
}
