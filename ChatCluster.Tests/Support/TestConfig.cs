using Akka.Configuration;
using ChatCluster.Node.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Tests.Support;

/// <summary>The node's HOCON as tests see it: hocon/test.conf over hocon/base.conf.</summary>
public static class TestConfig
{
    public static Config Load(params string[] overrides) => NodeConfig.Load(overrides, new[] { "test.conf" });

    /// <summary>
    /// How every in-process test node starts: test.conf under <paramref name="overrides"/> (highest priority first),
    /// warnings and up logged. Tests that need more say so with <c>with { … }</c> (a log provider, another level,
    /// no environment).
    /// </summary>
    public static NodeOptions Node(IEnumerable<string> overrides, string systemName = "test") => new()
    {
        Overrides = overrides.ToArray(),
        ConfigFiles = new[] { "test.conf" },
        LogLevel = LogLevel.Warning,
        SystemName = systemName,
    };
}
