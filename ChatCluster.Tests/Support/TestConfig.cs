using Akka.Configuration;
using ChatCluster.Node.Hosting;

namespace ChatCluster.Tests.Support;

/// <summary>The node's HOCON as tests see it: hocon/test.conf over hocon/base.conf.</summary>
public static class TestConfig
{
    public static Config Load(params string[] overrides) => NodeConfig.Load(overrides, new[] { "test.conf" });
}
