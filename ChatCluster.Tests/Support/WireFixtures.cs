namespace ChatCluster.Tests.Support;

/// <summary>A node whose Primus heartbeat ticks every 300 ms, so ping, pong and timeout happen within a test.</summary>
public sealed class FastHeartbeatFixture : NodeFixture
{
    public const int PingIntervalMs = 1000; // wide enough that a busy 2-core CI box never misses a pong by accident

    protected override IReadOnlyList<string> Overrides => new[] { $"chatcluster.websocket.ping-interval = {PingIntervalMs}ms" };
}

/// <summary>A node that accepts TCP lines and websocket messages of at most 64 KiB each.</summary>
public sealed class RequestLimitsFixture : NodeFixture
{
    public const int MaxRequestBytes = 64 * 1024;

    protected override IReadOnlyList<string> Overrides => new[]
    {
        $"chatcluster.tcp.max-line-bytes = {MaxRequestBytes}",
        $"chatcluster.websocket.max-message-bytes = {MaxRequestBytes}",
    };
}
