using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Commands;

/// <summary>
/// The node's recent log lines for <c>log recent</c> and <c>log tail</c>: a logging provider that keeps the last
/// <c>recent-log-lines</c> lines in a ring (the oldest drops first, so memory is bounded) and tells tail listeners.
/// It also owns the node's minimum level, so <c>log set-level</c> changes what every provider writes.
/// </summary>
public sealed class RecentLog : ILoggerProvider
{
    private readonly string[] _ring;
    private readonly object _gate = new();
    private readonly List<Action<string>> _listeners = new();
    private int _next;
    private int _count;
    private volatile int _level;

    public RecentLog(int capacity, LogLevel level)
    {
        _ring = new string[capacity];
        _level = (int)level;
    }

    public LogLevel Level
    {
        get => (LogLevel)_level;
        set => _level = (int)value;
    }

    public bool Allows(LogLevel level) => level != LogLevel.None && level >= Level;

    public void Add(string line)
    {
        Action<string>[] listeners;
        lock (_gate)
        {
            _ring[_next] = line;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
            listeners = _listeners.Count == 0 ? Array.Empty<Action<string>>() : _listeners.ToArray();
        }
        foreach (var listener in listeners) listener(line);
    }

    /// <summary>The last <paramref name="n"/> lines, oldest first.</summary>
    public IReadOnlyList<string> Recent(int n)
    {
        lock (_gate)
        {
            var take = Math.Min(n, _count);
            var lines = new string[take];
            for (var i = 0; i < take; i++) lines[i] = _ring[((_next - take + i) % _ring.Length + _ring.Length) % _ring.Length];
            return lines;
        }
    }

    /// <summary>Calls <paramref name="listener"/> for every new line until the returned handle is disposed.</summary>
    public IDisposable Listen(Action<string> listener)
    {
        lock (_gate) _listeners.Add(listener);
        return new Subscription(this, listener);
    }

    public static string Format(DateTimeOffset at, LogLevel level, string category, string message) =>
        $"{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)} {Short(level)} {category}: {message}";

    private static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRC",
        LogLevel.Debug => "DBG",
        LogLevel.Information => "INF",
        LogLevel.Warning => "WRN",
        LogLevel.Error => "ERR",
        _ => "CRT",
    };

    public ILogger CreateLogger(string categoryName) => new RingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Subscription(RecentLog log, Action<string> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (log._gate) log._listeners.Remove(listener);
        }
    }

    private sealed class RingLogger(RecentLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => log.Allows(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception);
            if (exception is not null) message += " " + exception.GetType().Name + ": " + exception.Message;
            log.Add(Format(DateTimeOffset.UtcNow, logLevel, category, message));
        }
    }
}

/// <summary>Wires <see cref="RecentLog"/> into a logging builder: its level decides for every provider.</summary>
public static class RecentLogExtensions
{
    public static ILoggingBuilder AddRecentLog(this ILoggingBuilder builder, RecentLog log) => builder
        .SetMinimumLevel(LogLevel.Trace)
        .AddFilter((_, _, level) => log.Allows(level))
        .AddProvider(log);
}
