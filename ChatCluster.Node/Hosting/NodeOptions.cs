using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Hosting;

/// <summary>How to start a node: HOCON override lines (highest priority first), extra HOCON files, log level.</summary>
public sealed record NodeOptions
{
    public IReadOnlyList<string> Overrides { get; init; } = Array.Empty<string>();

    public IReadOnlyList<string> ConfigFiles { get; init; } = Array.Empty<string>();

    /// <summary><c>--chatcluster.x.y=value</c> / <c>--akka.x.y=value</c> arguments (see <see cref="ConfigOverrides"/>).</summary>
    public IReadOnlyList<string> KeyValueArgs { get; init; } = Array.Empty<string>();

    /// <summary>Environment variables to read overrides from (<c>chatcluster__…</c>, <c>akka__…</c>); null: the process's.</summary>
    public IEnumerable<KeyValuePair<string, string?>>? Environment { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>A log provider added to the node's one pipeline (tests capture log lines with it).</summary>
    public ILoggerProvider? LogProvider { get; init; }

    /// <summary>Name of the actor system; every node of one cluster must use the same.</summary>
    public string SystemName { get; init; } = "chatcluster";
}
