using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Tests.Support;

/// <summary>Keeps a node's log lines (event id and text) so that tests can check what was logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(int EventId, string Text)> _lines = new();

    public IReadOnlyList<(int EventId, string Text)> Lines => _lines.ToArray();

    /// <summary>The lines logged with this event id.</summary>
    public IReadOnlyList<string> WithEvent(int eventId) => _lines.Where(l => l.EventId == eventId).Select(l => l.Text).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() { }

    private sealed class Logger(LogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Bounded: a test node logs little, but a flood must not eat the test process's memory.
            if (owner._lines.Count < 10_000) owner._lines.Enqueue((eventId.Id, formatter(state, exception)));
        }
    }
}
