using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Cmd;

/// <summary>
/// One real cluster for the ccm process tests, started once: a seed and two workers as node processes, each with its
/// own ccm port. The split-brain resolver waits long here (ccm's down-unreachable is what removes a crashed node in
/// these tests); failure detection and gossip are fast so a crash is seen in seconds.
/// </summary>
public sealed class CcmClusterFixture : IAsyncLifetime
{
    private const string Hocon = """
        akka.cluster {
          periodic-tasks-initial-delay = 0s
          gossip-interval = 200ms
          leader-actions-interval = 200ms
          unreachable-nodes-reaper-interval = 250ms
          retry-unsuccessful-join-after = 1s
          # long: the tests down crashed nodes with `ccm cluster down-unreachable`, not the resolver
          split-brain-resolver.stable-after = 120s
          failure-detector { heartbeat-interval = 250ms, acceptable-heartbeat-pause = 3s, expected-response-after = 250ms }
          pub-sub.gossip-interval = 100ms
          sharding { retry-interval = 200ms, handoff-timeout = 5s }
        }
        """;

    public string ConfigFile { get; } = Path.Combine(Path.GetTempPath(), $"ccm-cluster-{Guid.NewGuid():N}.conf");

    public string SeedAddress { get; private set; } = "";

    public NodeProcess Seed { get; private set; } = null!;

    public NodeProcess Worker1 { get; private set; } = null!;

    public NodeProcess Worker2 { get; private set; } = null!;

    public string SeedTarget => $"127.0.0.1:{Seed.CmdPort}";

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(ConfigFile, Hocon);
        var akkaPort = FreePort.Next();
        SeedAddress = $"akka.tcp://chatcluster@127.0.0.1:{akkaPort}";
        Seed = await NodeProcess.StartAsync("seed", "--akka-port", akkaPort.ToString(), "--seed-nodes", SeedAddress, "--config", ConfigFile);
        var workers = await Task.WhenAll(StartWorkerAsync(), StartWorkerAsync());
        Worker1 = workers[0];
        Worker2 = workers[1];
        await WaitForUpAsync(3);
    }

    /// <summary>Another worker joining this cluster (the test disposes it).</summary>
    public Task<NodeProcess> StartWorkerAsync() => NodeProcess.StartAsync("worker", "--seed-nodes", SeedAddress, "--config", ConfigFile);

    /// <summary>Until the seed's `cluster show` lists exactly <paramref name="count"/> up nodes.</summary>
    public Task WaitForUpAsync(int count) => Eventually.TrueAsync(async () =>
    {
        var show = await CcmProcess.RunAsync(SeedTarget, "cluster", "show");
        return show.ExitCode == 0 && show.Lines.Count(l => l.Contains(" | up |", StringComparison.Ordinal)) == count
            && show.Lines.Contains($"Count: {count} nodes");
    }, $"{count} nodes up", TimeSpan.FromSeconds(60));

    /// <summary>A node's own cluster address, asked through its ccm port.</summary>
    public static async Task<string> AddressOfAsync(NodeProcess node)
    {
        var status = await CcmProcess.RunAsync($"127.0.0.1:{node.CmdPort}", "cluster", "status", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        return (string)status.Json[0]["address"]!;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in new[] { Worker2, Worker1, Seed })
            if (node is not null) await node.DisposeAsync();
        File.Delete(ConfigFile);
    }
}
