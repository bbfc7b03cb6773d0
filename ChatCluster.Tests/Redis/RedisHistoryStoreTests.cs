using ChatCluster.Messages;
using ChatCluster.Node.Redis;
using ChatCluster.Node.Rooms;
using ChatCluster.Tests.Support;
using StackExchange.Redis;

namespace ChatCluster.Tests.Redis;

/// <summary><see cref="RedisHistoryStore"/> against a real redis-server: order, trimming, refusal of a repeated offset, age, restart.</summary>
[Collection("redis")]
public sealed class RedisHistoryStoreTests : IAsyncLifetime
{
    private readonly RedisServerFixture _redis;
    private ConnectionMultiplexer _mux = null!;
    private RedisHistoryStore _store = null!;

    public RedisHistoryStoreTests(RedisServerFixture redis) => _redis = redis;

    public async Task InitializeAsync()
    {
        _mux = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        _store = new RedisHistoryStore(_mux, RedisServerFixture.NewKeyPrefix("history"));
    }

    public async Task DisposeAsync() => await _mux.DisposeAsync();

    private static ChatPayload Said(string room, int i) => new(room, "c1", $"\"m{i}\"", 1000 + i);

    private async Task<IReadOnlyList<StoredHistoryEntry>> Load(string room)
    {
        using var cancel = new CancellationTokenSource(Timeouts.Expect);
        return await _store.Open(room, new HistoryRule("*", 1, TimeSpan.Zero)).LoadAsync(cancel.Token);
    }

    [Fact]
    public async Task Fire_and_forget_appends_should_be_stored_in_order_with_their_epoch()
    {
        var rule = new HistoryRule("*", 100, TimeSpan.Zero);
        for (var i = 1; i <= 500; i++) _store.Open("r", rule).Append(7, i, Said("r", i), 5000 + i);
        var stored = await Load("r"); // same connection: the read comes after every write
        Assert.InRange(stored.Count, 100, 500); // MAXLEN ~ keeps at least the size
        Assert.Equal(Enumerable.Range(501 - stored.Count, stored.Count).Select(i => (long)i), stored.Select(s => s.Offset));
        Assert.All(stored, s => Assert.Equal(7, s.Epoch));
        Assert.Equal(new StoredHistoryEntry(7, 500, Said("r", 500), 5500), stored[^1]);
        var resumed = HistoryResume.From(stored, 100)!;
        Assert.Equal(100, resumed.Entries.Count); // the room keeps exactly its size
        Assert.Equal(401, resumed.Entries[0].Offset);
    }

    [Fact]
    public async Task A_ticket_should_be_stored_with_its_entry_and_resumed_with_it()
    {
        var rule = new HistoryRule("*", 10, TimeSpan.Zero);
        _store.Open("t", rule).Append(3, 1, Said("t", 1), 1, new RoomProtocol.SayTicket("c1", 41));
        _store.Open("t", rule).Append(3, 2, Said("t", 2), 2); // chat of no ticketed say (a server broadcast)
        var stored = await Load("t");
        Assert.Equal(new StoredHistoryEntry(3, 1, Said("t", 1), 1, new RoomProtocol.SayTicket("c1", 41)), stored[0]);
        Assert.Null(stored[1].Ticket);
        Assert.Equal(new RoomProtocol.SayTicket("c1", 41), HistoryResume.From(stored, 10)!.Entries[0].Ticket);
    }

    [Fact]
    public async Task An_offset_stored_already_should_be_refused_by_redis()
    {
        var rule = new HistoryRule("*", 10, TimeSpan.Zero);
        _store.Open("r", rule).Append(1, 1, Said("r", 1), 1);
        _store.Open("r", rule).Append(1, 2, Said("r", 2), 2);
        _store.Open("r", rule).Append(2, 2, Said("r", 99), 3); // a stale writer's offset 2 in another epoch
        var stored = await Load("r");
        Assert.Equal(new long[] { 1, 1 }, stored.Select(s => s.Epoch));
        Assert.Equal("\"m2\"", stored[^1].Payload.MessageJson);
    }

    [Fact]
    public async Task A_restart_should_drop_the_older_epoch_before_the_next_append()
    {
        var rule = new HistoryRule("*", 10, TimeSpan.Zero);
        for (var i = 1; i <= 5; i++) _store.Open("r", rule).Append(1, i, Said("r", i), i);
        _store.Open("r", rule).Restart();
        _store.Open("r", rule).Append(2, 1, Said("r", 1), 9);
        var stored = await Load("r");
        Assert.Equal(new StoredHistoryEntry(2, 1, Said("r", 1), 9), Assert.Single(stored));
    }

    [Fact]
    public async Task A_room_with_an_age_bound_should_outlive_its_last_message_by_the_ttl_with_one_expiry_per_ttl()
    {
        var db = _mux.GetDatabase();
        var log = _store.Open("r", new HistoryRule("*", 10, TimeSpan.FromMinutes(5)));
        log.Append(1, 1, Said("r", 1), 0);
        Assert.InRange((await db.KeyTimeToLiveAsync(_store.Key("r")))!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        await db.KeyExpireAsync(_store.Key("r"), TimeSpan.FromMinutes(1)); // marks whether the next append sets it again
        log.Append(1, 2, Said("r", 2), 60_000); // a minute later: the expiry set 9+ minutes ahead still covers it
        Assert.InRange((await db.KeyTimeToLiveAsync(_store.Key("r")))!.Value, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        log.Append(1, 3, Said("r", 3), 300_000); // a ttl after the last expiry: pushed out again
        Assert.InRange((await db.KeyTimeToLiveAsync(_store.Key("r")))!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        _store.Open("r2", new HistoryRule("*", 10, TimeSpan.Zero)).Append(1, 1, Said("r2", 1), 1);
        Assert.Null(await db.KeyTimeToLiveAsync(_store.Key("r2")));
    }

    [Fact]
    public async Task A_room_with_nothing_stored_should_load_empty_and_an_unreadable_entry_should_fail_the_load()
    {
        Assert.Empty(await Load("none"));
        await _mux.GetDatabase().StreamAddAsync(_store.Key("bad"), new[] { new NameValueEntry("x", "1") }, "1-0");
        await Assert.ThrowsAsync<FormatException>(() => Load("bad"));
    }
}
