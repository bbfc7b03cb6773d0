using System.Text.Json.Nodes;
using Akka.Configuration;
using ChatCluster.Messages;
using ChatCluster.Node.Connections;
using ChatCluster.Node.Hosting;
using ChatCluster.Node.Rooms;
using ChatCluster.Transports;
using ChatCluster.Transports.Primus;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.History;

/// <summary>History, recovery and the extension's request rules as plain code (docs/history.md).</summary>
public sealed class RoomHistorySpec
{
    private static ChatPayload Say(long n) => new("r", "c", JsonText.Quote("m" + n), 1000 + n);

    // size, ttl (ms), messages said (offsets 1..said, message i said at time i*10), read at, since offset ->
    // recovered, offsets replayed
    public static TheoryData<string, int, long, int, long, long, bool, long[]> SinceCases => new()
    {
        { "nothing missed", 10, 0, 5, 50, 5, true, Array.Empty<long>() },
        { "all missed, all kept", 10, 0, 5, 50, 0, true, new long[] { 1, 2, 3, 4, 5 } },
        { "some missed, kept", 10, 0, 8, 80, 5, true, new long[] { 6, 7, 8 } },
        { "evicted by size", 3, 0, 8, 80, 2, false, new long[] { 6, 7, 8 } },
        { "exactly the size", 3, 0, 8, 80, 5, true, new long[] { 6, 7, 8 } },
        { "evicted by age", 10, 25, 8, 80, 2, false, new long[] { 6, 7, 8 } },
        { "everything too old", 10, 5, 8, 200, 2, false, Array.Empty<long>() },
        { "age bound off", 10, 0, 8, 1_000_000, 6, true, new long[] { 7, 8 } },
    };

    [Theory]
    [MemberData(nameof(SinceCases))]
    public void History_should_replay_what_was_missed_and_say_whether_it_is_all(string name, int size, long ttlMs, int said, long now,
        long since, bool recovered, long[] replayed)
    {
        _ = name;
        var h = new RoomHistory(size, TimeSpan.FromMilliseconds(ttlMs));
        for (var i = 1; i <= said; i++) h.Append(i, Say(i), i * 10);
        var (ok, missed) = h.Since(since, said, now);
        Assert.Equal(recovered, ok);
        Assert.Equal(replayed, missed.Select(e => e.Offset));
        Assert.All(missed, e => Assert.Equal(JsonText.Quote("m" + e.Offset), e.Payload.MessageJson));
    }

    // size, messages said, limit -> offsets, oldest first
    public static TheoryData<string, int, int, int, long[]> LastCases => new()
    {
        { "empty", 5, 0, 10, Array.Empty<long>() },
        { "fewer than the limit", 5, 3, 10, new long[] { 1, 2, 3 } },
        { "limited", 5, 5, 2, new long[] { 4, 5 } },
        { "ring wrapped", 3, 7, 10, new long[] { 5, 6, 7 } },
        { "zero limit", 3, 7, 0, Array.Empty<long>() },
    };

    [Theory]
    [MemberData(nameof(LastCases))]
    public void History_should_return_the_last_messages_oldest_first(string name, int size, int said, int limit, long[] offsets)
    {
        _ = name;
        var h = new RoomHistory(size, TimeSpan.Zero);
        for (var i = 1; i <= said; i++) h.Append(i, Say(i), i);
        Assert.Equal(offsets, h.Last(limit, said).Select(e => e.Offset));
        Assert.True(h.Count <= size);
    }

    [Fact]
    public void History_should_refuse_a_gap_in_offsets()
    {
        var h = new RoomHistory(3, TimeSpan.Zero);
        h.Append(1, Say(1), 0);
        Assert.Throws<ArgumentException>(() => h.Append(3, Say(3), 0));
    }

    // message sizes (chars), budget -> run sizes (Split) / entries kept from the oldest / from the newest (Fit)
    public static TheoryData<string, int[], int, int[], int, int> ChunkCases => new()
    {
        { "nothing", Array.Empty<int>(), 1000, new[] { 0 }, 0, 0 },
        { "all fit", new[] { 10, 10, 10 }, 1000, new[] { 3 }, 3, 3 },
        { "two per chunk", new[] { 400, 400, 400, 400, 400 }, 1000, new[] { 2, 2, 1 }, 2, 2 },
        { "one too big alone", new[] { 5000, 10 }, 1000, new[] { 1, 1 }, 1, 1 },
        { "big at the end", new[] { 10, 10, 5000 }, 1000, new[] { 2, 1 }, 2, 1 },
    };

    [Theory]
    [MemberData(nameof(ChunkCases))]
    public void History_should_go_between_nodes_in_chunks_below_the_frame_size(string name, int[] sizes, int budget, int[] runs,
        int fitOldest, int fitNewest)
    {
        _ = name;
        var entries = sizes.Select((n, i) => new HistoryEntry(i + 1, new ChatPayload("r", "c", JsonText.Quote(new string('x', n)), 0), 0)).ToArray();
        var split = HistoryChunks.Split(entries, budget);
        Assert.Equal(runs, split.Select(r => r.Count));
        Assert.Equal(entries.Select(e => e.Offset), split.SelectMany(r => r).Select(e => e.Offset));
        Assert.Equal(entries.Take(fitOldest).Select(e => e.Offset), HistoryChunks.Fit(entries, budget, newest: false).Select(e => e.Offset));
        Assert.Equal(entries.TakeLast(fitNewest).Select(e => e.Offset), HistoryChunks.Fit(entries, budget, newest: true).Select(e => e.Offset));
    }

    // since (epoch, offset) against a room in epoch 7 at offset 10 with no history -> error, recovered
    public static TheoryData<string, long, long, string?, bool> RecoveryCases => new()
    {
        { "same epoch, up to date", 7, 10, null, true },
        { "same epoch, behind, no history", 7, 4, null, false },
        { "other epoch", 8, 4, null, false },
        { "other epoch, any offset", 8, 999, null, false },
        { "from the future", 7, 11, ChatErrors.PositionInFuture(11, 10), false },
        { "negative", 7, -1, ChatErrors.PositionOffsetInvalid, false },
    };

    [Theory]
    [MemberData(nameof(RecoveryCases))]
    public void Recovery_should_check_the_position_against_the_room(string name, long epoch, long offset, string? error, bool recovered)
    {
        _ = name;
        var since = new Position(epoch, offset);
        Assert.Equal(error, RoomRecovery.Check(since, 7, 10));
        if (error is null) Assert.Equal(recovered, RoomRecovery.Recover(null, since, 7, 10, 0).Recovered);
    }

    // websocket frame -> positions, since offset (null = none), error
    public static TheoryData<string, string, bool?, long?, string?> WebSocketJoins => new()
    {
        { "stock client", """{"event":"roomAdd","room":"r"}""", null, null, null },
        { "positions", """{"event":"roomAdd","room":"r","positions":true}""", true, null, null },
        { "positions off", """{"event":"roomAdd","room":"r","positions":false}""", null, null, null },
        { "since", """{"event":"roomAdd","room":"r","since":{"offset":3,"epoch":"42"}}""", true, 3L, null },
        { "positions not a boolean", """{"event":"roomAdd","room":"r","positions":"yes"}""", null, null, ChatErrors.PositionsFlagInvalid },
        { "since a number", """{"event":"roomAdd","room":"r","since":3}""", null, null, ChatErrors.PositionNotObject },
        { "negative offset", """{"event":"roomAdd","room":"r","since":{"offset":-1,"epoch":"42"}}""", null, null, ChatErrors.PositionOffsetInvalid },
        { "fractional offset", """{"event":"roomAdd","room":"r","since":{"offset":1.5,"epoch":"42"}}""", null, null, ChatErrors.PositionOffsetInvalid },
        { "offset a string", """{"event":"roomAdd","room":"r","since":{"offset":"3","epoch":"42"}}""", null, null, ChatErrors.PositionOffsetInvalid },
        { "epoch a number", """{"event":"roomAdd","room":"r","since":{"offset":3,"epoch":42}}""", null, null, ChatErrors.PositionEpochInvalid },
        { "epoch not digits", """{"event":"roomAdd","room":"r","since":{"offset":3,"epoch":"abc"}}""", null, null, ChatErrors.PositionEpochInvalid },
        { "epoch missing", """{"event":"roomAdd","room":"r","since":{"offset":3}}""", null, null, ChatErrors.PositionEpochInvalid },
    };

    [Theory]
    [MemberData(nameof(WebSocketJoins))]
    public void A_websocket_join_should_parse_its_extension(string name, string frame, bool? positions, long? since, string? error)
    {
        _ = name;
        var (options, bad) = HistoryVerbs.ParseJoin(PrimusCodec.ToRequest(JsonNode.Parse(frame)!.AsObject()), isTcp: false);
        Assert.Equal(error, bad);
        Assert.Equal(positions, options?.Positions);
        Assert.Equal(since, options?.Since?.Offset);
    }

    // TCP line -> positions, since offset, error
    public static TheoryData<string, string, bool?, long?, string?> TcpJoins => new()
    {
        { "stock client", "roomAdd r", null, null, null },
        { "other words ignored (as ActionHero does)", "roomAdd r please", null, null, null },
        { "positions", "roomAdd r positions", true, null, null },
        { "since", "roomAdd r since 12 42", true, 12L, null },
        { "since without epoch", "roomAdd r since 12", null, null, ChatErrors.PositionEpochInvalid },
        { "since negative", "roomAdd r since -1 42", null, null, ChatErrors.PositionOffsetInvalid },
        { "since not a number", "roomAdd r since x 42", null, null, ChatErrors.PositionOffsetInvalid },
    };

    [Theory]
    [MemberData(nameof(TcpJoins))]
    public void A_tcp_join_should_parse_its_extension(string name, string line, bool? positions, long? since, string? error)
    {
        _ = name;
        var (options, bad) = HistoryVerbs.ParseJoin(TcpRequestParser.Parse(line), isTcp: true);
        Assert.Equal(error, bad);
        Assert.Equal(positions, options?.Positions);
        Assert.Equal(since, options?.Since?.Offset);
    }

    [Theory]
    [InlineData("roomHistory r", int.MaxValue, null)]
    [InlineData("roomHistory r 5", 5, null)]
    [InlineData("roomHistory r 0", 0, ChatErrors.HistoryLimitInvalid)]
    [InlineData("roomHistory r many", 0, ChatErrors.HistoryLimitInvalid)]
    public void A_tcp_history_request_should_parse_its_limit(string line, int limit, string? error)
    {
        var (read, bad) = HistoryVerbs.ParseHistory(TcpRequestParser.Parse(line), isTcp: true, "c", "r");
        Assert.Equal(error, bad);
        if (error is null) Assert.Equal(limit, read!.Limit);
    }

    [Fact]
    public void A_positioned_message_should_carry_actionheros_keys_then_offset_and_epoch()
    {
        var bytes = ChatPayloadEncoder.EncodePositioned(new ChatPayload("r", "c1", "\"hi\"", 5), 12, 9007199254740993);
        Assert.Equal("""{"message":"hi","room":"r","from":"c1","context":"user","sentAt":5,"offset":12,"epoch":"9007199254740993"}""",
            System.Text.Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void History_settings_should_be_off_by_default()
    {
        var s = HistorySettings.Create(NodeConfig.Load(Array.Empty<string>(), Array.Empty<string>()));
        Assert.Null(s.For("defaultRoom"));
        Assert.Null(s.For("anything"));
    }

    [Fact]
    public void History_settings_should_pick_the_first_matching_rule()
    {
        var s = HistorySettings.Create(Load("""chatcluster.history.rooms = [ { pattern = "big-*", size = 500, ttl = 1m }, { pattern = "*", size = 20, ttl = 0 } ]"""));
        Assert.Equal(new HistoryRule("big-*", 500, TimeSpan.FromMinutes(1)), s.For("big-one"));
        Assert.Equal(20, s.For("other")!.Size);
    }

    [Theory]
    [InlineData("""chatcluster.history.rooms = [ { pattern = "*", size = -1, ttl = 1m } ]""", "chatcluster.history.rooms[0].size")]
    [InlineData("""chatcluster.history.rooms = [ { pattern = "*", size = 100001, ttl = 1m } ]""", "chatcluster.history.rooms[0].size")]
    [InlineData("""chatcluster.history.rooms = [ { pattern = "*", size = 5, ttl = soon } ]""", "chatcluster.history.rooms[0].ttl")]
    [InlineData("""chatcluster.history.rooms = [ { size = 5, ttl = 1m } ]""", "chatcluster.history.rooms[0] needs `pattern`")]
    [InlineData("""chatcluster.history.max-size = 0""", "chatcluster.history.max-size")]
    [InlineData("""chatcluster.history.max-chunk-bytes = 1MiB""", "chatcluster.history.max-chunk-bytes")]
    public void History_settings_should_fail_naming_the_key(string hocon, string named)
    {
        var e = Assert.Throws<ConfigurationException>(() => HistorySettings.Create(Load(hocon)));
        Assert.Contains(named, e.Message);
    }

    private static Config Load(string hocon) =>
        ConfigurationFactory.ParseString(hocon).WithFallback(NodeConfig.Load(Array.Empty<string>(), Array.Empty<string>()));
}
