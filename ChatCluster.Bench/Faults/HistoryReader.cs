using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace ChatCluster.Bench.Faults;

/// <summary>A chat message a reader received, with the position the room gave it.</summary>
public readonly record struct PositionedReceipt(string Room, string Sender, long Seq, long Offset, string Epoch, long At, int Session);

/// <summary>
/// One join of a reader: with <c>positions</c> (no position yet) or <c>since</c> (a recovery), and the room's answer.
/// <see cref="Error"/> is the error text, "no answer" or "closed" when the join did not succeed.
/// </summary>
public sealed record JoinRecord(string Room, int Session, int Node, long RequestAt, (long Offset, string Epoch)? Since, string Phase)
{
    public long ReplyAt { get; set; } = -1;
    public string? Error { get; set; }
    public bool? Recovered { get; set; }
    public long Replayed { get; set; }
    public string? Epoch { get; set; }
    public long Offset { get; set; }
    public bool Ok => ReplyAt >= 0 && Error is null;
}

/// <summary>
/// A reader of the history chaos run (issue 17): a TCP client that joins every room with positions, remembers the last
/// (offset, epoch) per room from the messages it receives, and disconnects and reconnects again and again through a
/// node of its choice (round-robin or random over all nodes; a node that refuses the connection is skipped, as a load
/// balancer does), rejoining every room with <c>since</c>. Everything it receives and every join's answer is recorded
/// for the campaign's count of missed messages, duplicates and reorders.
/// </summary>
public sealed class HistoryReader
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    // Longer than the room's retry bound (say-retry-timeout, 30 s): a join to a room whose node is failing over waits.
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(45);
    private const int FinalAttempts = 20;

    private readonly IReadOnlyList<string> _rooms;
    private readonly IReadOnlyList<string> _nodeAddresses;
    private readonly int _port;
    private readonly Stopwatch _clock;
    private readonly Random _random;
    private readonly bool _roundRobin;
    private readonly Func<string> _phase;
    private readonly object _gate = new();
    private readonly Dictionary<string, (long Offset, string Epoch)> _positions = new();
    private int _next;

    public HistoryReader(string name, IReadOnlyList<string> rooms, IReadOnlyList<string> nodeAddresses, int port, Stopwatch clock,
        int seed, bool roundRobin, Func<string> phase)
    {
        Name = name;
        _rooms = rooms;
        _nodeAddresses = nodeAddresses;
        _port = port;
        _clock = clock;
        _random = new Random(seed);
        _roundRobin = roundRobin;
        _next = seed % nodeAddresses.Count;
        _phase = phase;
    }

    public string Name { get; }

    public string Order => _roundRobin ? "round-robin" : "random";

    public List<PositionedReceipt> Received { get; } = new();

    public List<JoinRecord> Joins { get; } = new();

    public int Sessions { get; private set; }

    public int ConnectFailures { get; private set; }

    /// <summary>True once the reader ended with a final session in which every room was joined.</summary>
    public bool EndedJoined { get; private set; }

    /// <summary>
    /// Reconnects until <paramref name="final"/>: then one last session (reconnecting if needed) that joins every room and
    /// stays <paramref name="finalDwell"/> to receive the last messages, bounded by <see cref="FinalAttempts"/>.
    /// </summary>
    public async Task RunAsync(TimeSpan minDwell, TimeSpan maxDwell, TimeSpan minGap, TimeSpan maxGap, TimeSpan finalDwell, CancellationToken final)
    {
        var finalAttempts = 0;
        while (finalAttempts < FinalAttempts)
        {
            if (final.IsCancellationRequested) finalAttempts++;
            var node = NextNode();
            await using var connection = await ConnectAsync(node);
            if (connection is null)
            {
                ConnectFailures++;
                await Task.Delay(TimeSpan.FromMilliseconds(200));
                continue;
            }
            var session = ++Sessions;
            var joined = true;
            foreach (var room in _rooms)
            {
                if (!await JoinAsync(connection, room, session, node))
                {
                    joined = false;
                    break;
                }
            }
            if (!joined)
            {
                await Task.Delay(Between(minGap, maxGap));
                continue;
            }
            if (final.IsCancellationRequested)
            {
                await Task.WhenAny(Task.Delay(finalDwell), connection.Closed);
                EndedJoined = !connection.Closed.IsCompleted;
                if (EndedJoined) return;
                continue;
            }
            var finalSignal = Task.Delay(Timeout.Infinite, final).ContinueWith(_ => { }, TaskScheduler.Default);
            await Task.WhenAny(Task.Delay(Between(minDwell, maxDwell)), connection.Closed, finalSignal);
            if (final.IsCancellationRequested && !connection.Closed.IsCompleted)
            {
                await Task.WhenAny(Task.Delay(finalDwell), connection.Closed);
                EndedJoined = !connection.Closed.IsCompleted;
                if (EndedJoined) return;
                continue;
            }
            // Disconnect (the connection is dropped without a word, as a network change does), stay away, come back.
            await connection.DisposeAsync();
            if (!final.IsCancellationRequested) await Task.Delay(Between(minGap, maxGap));
        }
    }

    private int NextNode()
    {
        if (!_roundRobin) return _random.Next(_nodeAddresses.Count);
        var k = _next;
        _next = (_next + 1) % _nodeAddresses.Count;
        return k;
    }

    private TimeSpan Between(TimeSpan min, TimeSpan max) =>
        min + TimeSpan.FromMilliseconds(_random.NextDouble() * (max - min).TotalMilliseconds);

    private async Task<bool> JoinAsync(Connection connection, string room, int session, int node)
    {
        (long Offset, string Epoch)? since;
        lock (_gate) since = _positions.TryGetValue(room, out var p) ? p : null;
        var record = new JoinRecord(room, session, node, _clock.ElapsedMilliseconds, since, _phase());
        lock (_gate) Joins.Add(record);
        var line = since is { } s ? $"roomAdd {room} since {s.Offset} {s.Epoch}" : $"roomAdd {room} positions";
        var reply = await connection.RequestAsync(line, JoinTimeout);
        if (reply is null)
        {
            record.Error = connection.Closed.IsCompleted ? "closed" : "no answer";
            return false;
        }
        record.ReplyAt = _clock.ElapsedMilliseconds;
        if ((string?)reply["error"] is { } error)
        {
            record.Error = error;
            return false;
        }
        var data = reply["data"] as JsonObject;
        record.Epoch = data?["epoch"]?.ToString();
        record.Offset = (long?)data?["offset"] ?? -1;
        record.Recovered = (bool?)data?["recovered"];
        record.Replayed = (long?)data?["replayed"] ?? 0;
        if (record.Epoch is null)
        {
            record.Error = "no position in the reply: " + reply.ToJsonString();
            return false;
        }
        // The position comes from the messages; the reply only moves it forward (a live message may come before it).
        lock (_gate)
        {
            if (!_positions.TryGetValue(room, out var current) || current.Epoch != record.Epoch || current.Offset < record.Offset)
                _positions[room] = (record.Offset, record.Epoch);
        }
        return true;
    }

    private void OnMessage(JsonObject m, int session)
    {
        if ((string?)m["message"] is not { } text || text.LastIndexOf('|') is not (var bar and > 0)
            || !long.TryParse(text.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return;
        var room = (string?)m["room"] ?? "";
        var offset = (long?)m["offset"] ?? -1;
        var epoch = m["epoch"]?.ToString() ?? "";
        lock (_gate)
        {
            Received.Add(new PositionedReceipt(room, text[..bar], seq, offset, epoch, _clock.ElapsedMilliseconds, session));
            if (offset < 0) return;
            if (!_positions.TryGetValue(room, out var current) || current.Epoch != epoch || current.Offset < offset)
                _positions[room] = (offset, epoch);
        }
    }

    private async Task<Connection?> ConnectAsync(int node)
    {
        var c = new Connection(this, Sessions + 1);
        return await c.OpenAsync(_nodeAddresses[node], _port) ? c : await c.DisposeAndNull();
    }

    /// <summary>One TCP connection of the reader: its chat messages are recorded under its session number.</summary>
    private sealed class Connection : IAsyncDisposable
    {
        private readonly TcpFaultConnection _line;

        public Connection(HistoryReader owner, int session) =>
            _line = new TcpFaultConnection(m =>
            {
                if ((string?)m["context"] == "user") owner.OnMessage(m, session);
            });

        public Task Closed => _line.Closed;

        public Task<bool> OpenAsync(string host, int port) => _line.OpenAsync(host, port, ConnectTimeout);

        public async Task<Connection?> DisposeAndNull()
        {
            await DisposeAsync();
            return null;
        }

        public Task<JsonObject?> RequestAsync(string line, TimeSpan timeout) => _line.RequestAsync(line, timeout);

        public ValueTask DisposeAsync() => _line.DisposeAsync();
    }
}
