using System.Diagnostics;

namespace ChatCluster.Bench.Faults;

/// <summary>How every fault run brings its nodes up: node 0 first (the first seed forms the cluster), then the others,
/// each waited for until it listens, then the rooms created through node 0.</summary>
public static class FaultCluster
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public static async Task StartAsync(IReadOnlyList<FaultNode> nodes, IEnumerable<string> rooms, Stopwatch clock)
    {
        nodes[0].Start();
        if (!await nodes[0].WaitListeningAsync(StartTimeout)) throw new InvalidOperationException($"node 0 did not start; see {nodes[0].LogPath}");
        foreach (var n in nodes.Skip(1)) n.Start();
        foreach (var n in nodes.Skip(1))
            if (!await n.WaitListeningAsync(StartTimeout)) throw new InvalidOperationException($"node {n.Index} did not start; see {n.LogPath}");
        await using var setup = new FaultSession("setup", 0, clock);
        if (!await setup.ConnectAsync(nodes[0].Address, FaultNode.TcpPort, Array.Empty<string>())) throw new InvalidOperationException("no setup session");
        foreach (var room in rooms)
            if (!await setup.CreateRoomAsync(room)) throw new InvalidOperationException($"room {room} not created");
    }
}
