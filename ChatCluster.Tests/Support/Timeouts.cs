namespace ChatCluster.Tests.Support;

/// <summary>Bounds for waiting on the wire: generous, because CI runs on a noisy 2-core machine.</summary>
public static class Timeouts
{
    /// <summary>How long to wait for a message that must come.</summary>
    public static readonly TimeSpan Expect = TimeSpan.FromSeconds(10);

    /// <summary>How long to watch for a message that must not come.</summary>
    public static readonly TimeSpan Silence = TimeSpan.FromMilliseconds(400);
}
