using System.Diagnostics;
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

    private readonly TcpFaultConnection _connection;
    private readonly Stopwatch _clock;
    private readonly object _gate = new();

    public FaultSession(string name, int node, Stopwatch clock)
    {
        Name = name;
        Node = node;
        _clock = clock;
        _connection = new TcpFaultConnection(OnPush, () =>
        {
            lock (_gate) ClosedAt ??= _clock.ElapsedMilliseconds;
        });
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
        if (!await _connection.OpenAsync(host, port, TimeSpan.FromSeconds(10)))
        {
            LastError = _connection.LastError;
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

    private Task<JsonObject?> RequestAsync(string line, TimeSpan timeout) =>
        Open ? _connection.RequestAsync(line, timeout) : Task.FromResult<JsonObject?>(null);

    // Chat lines "sender|seq" become receipts; the goodbye of a deliberate close is noted.
    private void OnPush(JsonObject m)
    {
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
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
