namespace ChatCluster.Tests.Support;

/// <summary>Bounded polling on observable state (never a fixed sleep to synchronize).</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after <see cref="Timeouts.Expect"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Timeouts.Expect;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) Assert.Fail("still not true after " + limit + ": " + what);
            await Task.Delay(50);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);
}
