using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatCluster.Bench.Faults;

/// <summary>One says as the campaign saw it: acknowledged (OK), refused (an error), or never answered.</summary>
public sealed record SayRecord(string Sender, string Room, long Seq, long SentAt)
{
    public long AnsweredAt { get; set; } = -1;
    public bool Acked { get; set; }
    public string? Error { get; set; }
}

/// <summary>A chat message a session received: who said it, which number, in which room.</summary>
public readonly record struct Receipt(string Room, string Sender, long Seq);

/// <summary>
/// One TCP client connection of the campaign (the line protocol): joins every room, then says numbered messages
/// ("sender|seq") one at a time, each waiting for its answer, and records every chat message it receives.
/// </summary>
public sealed class FaultSession : IAsyncDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(45);

    private readonly TcpClient _client = new() { NoDelay = true };
    private readonly Stopwatch _clock;
    private readonly object _gate = new();
    private NetworkStream? _stream;
    private TaskCompletionSource<JsonObject?>? _pending;
    private Task? _reader;

    public FaultSession(string name, int node, Stopwatch clock)
    {
        Name = name;
        Node = node;
        _clock = clock;
    }

    public string Name { get; }

    public int Node { get; }

    public string? Id { get; private set; }

    public long? ClosedAt { get; private set; }

    public bool GotGoodbye { get; private set; }

    public Dictionary<string, long> JoinedAt { get; } = new();

    public List<Receipt> Received { get; } = new();

    public List<SayRecord> Says { get; } = new();

    public bool Open => ClosedAt is null;

    /// <summary>Why <see cref="ConnectAsync"/> failed (the error or "no answer").</summary>
    public string? LastError { get; private set; }

    public async Task<bool> ConnectAsync(string host, int port, IEnumerable<string> rooms)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _client.ConnectAsync(host, port, cts.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            ClosedAt = _clock.ElapsedMilliseconds;
            LastError = e.Message;
            return false;
        }
        _stream = _client.GetStream();
        var welcome = Expect();
        _reader = Task.Run(ReadLoopAsync);
        if (await Wait(welcome, TimeSpan.FromSeconds(10)) is null)
        {
            LastError = "no welcome";
            return false;
        }
        foreach (var room in rooms)
        {
            var reply = await RequestAsync($"roomAdd {room}", TimeSpan.FromSeconds(20));
            if (reply is null || reply["error"] is not null)
            {
                LastError = $"roomAdd {room}: {(string?)reply?["error"] ?? "no answer"}";
                return false;
            }
            JoinedAt[room] = _clock.ElapsedMilliseconds;
        }
        Id = (string?)(await RequestAsync("detailsView", TimeSpan.FromSeconds(10)))?["data"]?["id"];
        return Id is not null;
    }

    /// <summary>
    /// Says numbered messages round-robin over <paramref name="rooms"/> until <paramref name="stop"/>, from
    /// <paramref name="first"/> on (a sender that reconnects goes on with its numbers).
    /// </summary>
    public async Task SayLoopAsync(IReadOnlyList<string> rooms, TimeSpan pause, CancellationToken stop, long first = 1)
    {
        for (long seq = first; !stop.IsCancellationRequested && Open; seq++)
        {
            var room = rooms[(int)(seq % rooms.Count)];
            var record = new SayRecord(Name, room, seq, _clock.ElapsedMilliseconds);
            lock (_gate) Says.Add(record);
            var reply = await RequestAsync($"say {room} {Name}|{seq}", AnswerTimeout);
            if (reply is null) return; // closed, or no answer at all within the bound (counted as unanswered)
            record.AnsweredAt = _clock.ElapsedMilliseconds;
            record.Error = (string?)reply["error"];
            record.Acked = record.Error is null;
            try
            {
                await Task.Delay(pause, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>ActionHero's sample action over TCP: creates the room when missing.</summary>
    public async Task<bool> CreateRoomAsync(string room)
    {
        var reply = await RequestAsync($"{{\"action\":\"createChatRoom\",\"params\":{{\"name\":\"{room}\"}}}}", TimeSpan.FromSeconds(20));
        return reply is not null && reply["error"] is null;
    }

    /// <summary>Room members as the node lists them (roomView), or null without an answer.</summary>
    public async Task<HashSet<string>?> MembersAsync(string room)
    {
        var reply = await RequestAsync($"roomView {room}", TimeSpan.FromSeconds(5));
        if (reply?["data"]?["members"] is not JsonObject members) return null;
        return members.Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
    }

    private TaskCompletionSource<JsonObject?> Expect()
    {
        var tcs = new TaskCompletionSource<JsonObject?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _pending = tcs;
        return tcs;
    }

    private async Task<JsonObject?> RequestAsync(string line, TimeSpan timeout)
    {
        if (!Open || _stream is null) return null;
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

    private static async Task<JsonObject?> Wait(TaskCompletionSource<JsonObject?> tcs, TimeSpan timeout)
    {
        var done = await Task.WhenAny(tcs.Task, Task.Delay(timeout));
        return done == tcs.Task ? await tcs.Task : null;
    }

    private async Task ReadLoopAsync()
    {
        using var reader = new StreamReader(_stream!, Encoding.UTF8);
        try
        {
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
                if (context == "user" && (string?)m["message"] is { } text && text.LastIndexOf('|') is var bar and > 0
                    && long.TryParse(text.AsSpan(bar + 1), out var seq))
                {
                    lock (_gate) Received.Add(new Receipt((string?)m["room"] ?? "", text[..bar], seq));
                }
                else if (context == "api" && (string?)m["status"] == "Bye!")
                {
                    GotGoodbye = true;
                }
                else if (context is "response" or "api")
                {
                    TaskCompletionSource<JsonObject?>? pending;
                    lock (_gate)
                    {
                        pending = _pending;
                        _pending = null;
                    }
                    pending?.TrySetResult(m);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
        MarkClosed();
    }

    private void MarkClosed()
    {
        lock (_gate)
        {
            ClosedAt ??= _clock.ElapsedMilliseconds;
            _pending?.TrySetResult(null);
            _pending = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (_reader is not null) await Task.WhenAny(_reader, Task.Delay(TimeSpan.FromSeconds(5)));
    }
}
