using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Clustering;

/// <summary>A second node on an Akka remoting port already in use must not start a cluster of its own (issue 12).</summary>
public sealed class RemotingPortInUseTests
{
    [Fact]
    public async Task A_node_on_a_remoting_port_in_use_should_exit_non_zero_naming_the_port()
    {
        var port = FreePort.Next();
        var seed = $"akka.tcp://chatcluster@127.0.0.1:{port}";
        await using var first = await NodeProcess.StartAsync("seed", "--akka-port", $"{port}", "--seed-nodes", seed);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            NodeProcess.StartAsync("seed", "--akka-port", $"{port}", "--seed-nodes", seed, "--log-level", "warning"));
        Assert.Contains("node exited (1)", e.Message);
        Assert.Contains($"remoting port {port}", e.Message);
        Assert.Contains("already in use", e.Message);
    }
}
