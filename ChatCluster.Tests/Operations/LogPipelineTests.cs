using System.Collections.Concurrent;
using System.Text.Json;
using ChatCluster.Node.Hosting;
using ChatCluster.Tests.Support;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Tests.Operations;

/// <summary>One log pipeline: Akka's events and ChatCluster's lines go through the same provider and format.</summary>
public sealed class LogPipelineTests
{
    [Fact]
    public async Task An_akka_line_and_a_chatcluster_line_should_reach_the_same_provider()
    {
        var captured = new CapturingProvider();
        var node = await ChatNode.StartAsync(TestConfig.Node(["akka.loglevel = INFO"], "logs")
            with { LogLevel = LogLevel.Information, LogProvider = captured, Environment = Array.Empty<KeyValuePair<string, string?>>() });
        await node.StopAsync();
        Assert.Contains(captured.Lines, l => l.Category.StartsWith("Akka", StringComparison.Ordinal) && l.Message.Contains("Cluster Node", StringComparison.Ordinal));
        Assert.Contains(captured.Lines, l => l.Category == "ChatCluster.Node" && l.Message.Contains(" up: tcp ", StringComparison.Ordinal));
        Assert.Contains(captured.Lines, l => l.Category == "ChatCluster.Cluster" && l.EventId == 2003); // member up, stable id
    }

    [Fact]
    public async Task Json_format_should_write_every_line_as_json_akka_included()
    {
        await using var node = await NodeProcess.StartAsync("--log-format", "json", "--chatcluster.drain.unready-delay=0s");
        await node.TerminateAsync();
        var lines = node.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var categories = lines.Select(Category).ToList();
        Assert.Contains(categories, c => c.StartsWith("Akka", StringComparison.Ordinal));
        Assert.Contains(categories, c => c.StartsWith("ChatCluster", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"EventId\":2010", StringComparison.Ordinal)); // the drain's first step
        // A log shipper keeps one of two equal keys at best: no object of a line may name a key twice.
        Assert.All(lines, l => Assert.Empty(DuplicateKeys(JsonDocument.Parse(l).RootElement)));
    }

    private static IEnumerable<string> DuplicateKeys(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().GroupBy(p => p.Name).Where(g => g.Count() > 1).Select(g => g.Key)
            .Concat(element.EnumerateObject().SelectMany(p => DuplicateKeys(p.Value))),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(DuplicateKeys),
        _ => [],
    };

    private static string Category(string line)
    {
        try
        {
            return JsonDocument.Parse(line).RootElement.GetProperty("Category").GetString()!;
        }
        catch (JsonException)
        {
            Assert.Fail("not a JSON log line: " + line);
            throw;
        }
    }

    private sealed record Line(string Category, int EventId, string Message);

    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<Line> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Capturing(string category, ConcurrentQueue<Line> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(new Line(category, eventId.Id, formatter(state, exception)));
        }
    }
}
