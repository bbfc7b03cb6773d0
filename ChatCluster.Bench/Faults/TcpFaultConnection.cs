using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatCluster.Bench.Faults;

/// <summary>
/// One TCP line-protocol connection of the fault tools: a read loop hands each answer (a <c>context:"response"</c>
/// line, or the welcome) to the one request in flight and every other message (chat, the <c>Bye!</c> goodbye) to the
/// owner. Faults are expected: a refused connect, a reset or a missing answer is a result (false or null), never an
/// exception, and the end of the connection is reported once.
/// </summary>
public sealed class TcpFaultConnection : IAsyncDisposable
{
    private static readonly TimeSpan WelcomeTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _client = new() { NoDelay = true };
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private readonly Action<JsonObject> _onPush;
    private readonly Action? _onClosed;
    private TaskCompletionSource<JsonObject?>? _pending;
    private NetworkStream? _stream;
    private Task? _reader;

    /// <param name="onPush">Every message that answers no request; called on the read loop.</param>
    /// <param name="onClosed">Called once when the connection ends (or could not open).</param>
    public TcpFaultConnection(Action<JsonObject> onPush, Action? onClosed = null)
    {
        _onPush = onPush;
        _onClosed = onClosed;
    }

    /// <summary>Completes when the connection has ended.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Why <see cref="OpenAsync"/> failed (the socket error, or "no welcome").</summary>
    public string? LastError { get; private set; }

    /// <summary>Connects and waits for the welcome; false when either does not happen in time.</summary>
    public async Task<bool> OpenAsync(string host, int port, TimeSpan connectTimeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(connectTimeout);
            await _client.ConnectAsync(host, port, cts.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            LastError = e.Message;
            MarkClosed();
            return false;
        }
        _stream = _client.GetStream();
        var welcome = Expect();
        _reader = Task.Run(ReadLoopAsync);
        if (await Wait(welcome, WelcomeTimeout) is not null) return true;
        LastError = "no welcome";
        return false;
    }

    /// <summary>Sends a line and waits for its answer; null when the connection ended or no answer came in time.</summary>
    public async Task<JsonObject?> RequestAsync(string line, TimeSpan timeout)
    {
        if (_stream is null || Closed.IsCompleted) return null;
        var tcs = Expect();
        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            MarkClosed();
            return null;
        }
        return await Wait(tcs, timeout);
    }

    private TaskCompletionSource<JsonObject?> Expect()
    {
        var tcs = new TaskCompletionSource<JsonObject?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _pending = tcs;
        return tcs;
    }

    private static async Task<JsonObject?> Wait(TaskCompletionSource<JsonObject?> tcs, TimeSpan timeout)
    {
        var done = await Task.WhenAny(tcs.Task, Task.Delay(timeout));
        return done == tcs.Task ? await tcs.Task : null;
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            using var reader = new StreamReader(_stream!, Encoding.UTF8);
            while (await reader.ReadLineAsync() is { } line)
            {
                JsonObject m;
                try
                {
                    m = JsonNode.Parse(line)!.AsObject();
                }
                catch (System.Text.Json.JsonException)
                {
                    continue;
                }
                var context = (string?)m["context"];
                if (context == "response" || (context == "api" && (string?)m["status"] != "Bye!"))
                {
                    TaskCompletionSource<JsonObject?>? pending;
                    lock (_gate)
                    {
                        pending = _pending;
                        _pending = null;
                    }
                    pending?.TrySetResult(m);
                }
                else
                {
                    _onPush(m);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }
        MarkClosed();
    }

    private void MarkClosed()
    {
        lock (_gate)
        {
            _pending?.TrySetResult(null);
            _pending = null;
        }
        if (_closed.TrySetResult()) _onClosed?.Invoke();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        MarkClosed();
        if (_reader is not null) await Task.WhenAny(_reader, Task.Delay(TimeSpan.FromSeconds(5)));
    }
}
