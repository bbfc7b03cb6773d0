using ChatCluster.Node.Redis;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Tests.Unit;

/// <summary>The rate-limited warning for bus messages with another serverToken.</summary>
public sealed class ForeignTokenWarningTests
{
    private sealed class CountingLogger : ILogger
    {
        public List<string> Warnings { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Warnings.Add(formatter(state, exception));
    }

    public static TheoryData<string, string, bool> Messages => new()
    {
        { "another token", "{\"serverToken\":\"x\",\"serverId\":\"ah-1\"}", true },
        { "not JSON", "hello", false },
        { "JSON without a token", "{\"messageType\":\"chat\"}", false },
        { "a JSON array", "[1]", false },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Counts_only_messages_that_carry_a_token(string name, string text, bool counted)
    {
        _ = name;
        var warning = new ForeignTokenWarning(new CountingLogger(), TimeSpan.FromSeconds(60));
        Assert.Equal(counted, warning.Note(text, 0));
    }

    [Fact]
    public void Warns_once_per_interval_naming_the_setting()
    {
        var log = new CountingLogger();
        var warning = new ForeignTokenWarning(log, TimeSpan.FromSeconds(60));
        for (var i = 0; i < 100; i++) warning.Note("{\"serverToken\":\"x\",\"serverId\":\"ah-1\"}", i * 100);
        Assert.Single(log.Warnings);
        Assert.Contains("chatcluster.redis.server-token", log.Warnings[0]);
        Assert.Contains("ah-1", log.Warnings[0]);
        warning.Note("{\"serverToken\":\"x\",\"serverId\":\"ah-1\"}", 70_000);
        Assert.Equal(2, log.Warnings.Count);
        Assert.Contains("ignored 100 bus message", log.Warnings[1]);
    }
}
