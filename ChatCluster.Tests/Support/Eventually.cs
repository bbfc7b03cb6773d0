namespace ChatCluster.Tests.Support;

/// <summary>Bounded polling on observable state (never a fixed sleep for synchronization).</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test with <paramref name="what"/> after <see cref="Timeouts.Expect"/>.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("timed out waiting for: " + what);
            await Task.Delay(20);
        }
    }
}
