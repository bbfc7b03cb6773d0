using System.Globalization;
using ChatCluster.Messages;
using ChatCluster.Node.Rooms;
using StackExchange.Redis;

namespace ChatCluster.Node.Redis;

/// <summary>
/// Room history in Redis (<c>chatcluster.history.store = redis</c>), on the key store's connection: one stream per room,
/// <c>{journal-key-prefix}history:{room}</c>, one entry per ordered message.
/// <code>
///   id    {offset}-0        the room's offset: Redis refuses an id not above the stream's last, so an offset is never stored twice
///   e     epoch             every entry carries its epoch: a new epoch whose DEL failed cannot be mistaken for the old one
///   f m s from, message (JSON text), sentAt of the ChatPayload
///   t     at                when the room ordered it (ms), for the history's age bound
///   k i   ticket key, id    the say it came from (only for ticketed says): the room's next actor, resuming from the
///                           stream after a crash, answers a retry of that say with this entry instead of ordering it again
/// </code>
/// Why a stream and not a list: XADD appends and trims (MAXLEN ~ size) in one command, where a list needs RPUSH and
/// LTRIM; approximate trimming drops whole internal nodes (cheap) and keeps at least <c>size</c> entries; explicit ids
/// let Redis itself refuse an out-of-order offset. With an age bound the key also expires that long after the last
/// message (PEXPIRE to twice the ttl, sent at most once per ttl): all its entries would be too old to replay by then.
///
/// Writes are fire-and-forget (no round trip on the say path): StackExchange.Redis writes the commands of one
/// multiplexer to its one interactive connection in the order they are issued, and the room actor issues them in its
/// order, so Redis applies them in offset order. What is lost is only what was in flight when the node crashed.
/// </summary>
public sealed class RedisHistoryStore : IHistoryStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;

    public RedisHistoryStore(IConnectionMultiplexer redis, string journalKeyPrefix)
    {
        _redis = redis;
        _prefix = journalKeyPrefix + "history:";
    }

    public bool Durable => true;

    public RedisKey Key(string room) => new(_prefix + room);

    public IRoomHistoryLog Open(string room, HistoryRule rule) => new RoomLog(_redis, room, Key(room), rule);

    private sealed class RoomLog(IConnectionMultiplexer redis, string room, RedisKey key, HistoryRule rule) : IRoomHistoryLog
    {
        private readonly long _ttlMs = (long)rule.Ttl.TotalMilliseconds;
        // When the key's expiry was last pushed out (the room's clock, ms): at most once per ttl, to twice the ttl, so
        // the key outlives its last message by at least the ttl with one PEXPIRE per ttl instead of one per message.
        private long _expirySetAt = long.MinValue;

        public void Append(long epoch, long offset, ChatPayload payload, long at, RoomProtocol.SayTicket? ticket = null)
        {
            var db = redis.GetDatabase();
            var fields = ticket is null
                ? new NameValueEntry[]
                {
                    new("e", epoch), new("f", payload.From), new("m", payload.MessageJson), new("s", payload.SentAt), new("t", at),
                }
                : new NameValueEntry[]
                {
                    new("e", epoch), new("f", payload.From), new("m", payload.MessageJson), new("s", payload.SentAt), new("t", at),
                    new("k", ticket.Key), new("i", ticket.Id),
                };
            db.StreamAdd(key, fields, Id(offset), rule.Size, useApproximateMaxLength: true, CommandFlags.FireAndForget);
            if (_ttlMs > 0 && (_expirySetAt == long.MinValue || at - _expirySetAt >= _ttlMs))
            {
                db.KeyExpire(key, rule.Ttl * 2, CommandFlags.FireAndForget);
                _expirySetAt = at;
            }
        }

        public void Restart()
        {
            redis.GetDatabase().KeyDelete(key, CommandFlags.FireAndForget);
            _expirySetAt = long.MinValue;
        }

        public async Task<IReadOnlyList<StoredHistoryEntry>> LoadAsync(CancellationToken cancel)
        {
            var entries = await redis.GetDatabase().StreamRangeAsync(key).WaitAsync(cancel).ConfigureAwait(false);
            var result = new StoredHistoryEntry[entries.Length];
            for (var i = 0; i < entries.Length; i++) result[i] = Parse(room, entries[i]);
            return result;
        }
    }

    private static RedisValue Id(long offset) => offset.ToString(CultureInfo.InvariantCulture) + "-0";

    // An entry we cannot read makes the whole load fail: the room then starts a new epoch (never a wrong recovery).
    private static StoredHistoryEntry Parse(string room, StreamEntry entry)
    {
        var id = entry.Id.ToString();
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !long.TryParse(id.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            throw new FormatException($"history of {room}: entry id {id} is not an offset");
        long Number(string name) => long.TryParse(entry[name].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n : throw new FormatException($"history of {room}: entry {id} has no number `{name}`");
        string Text(string name) => entry[name] is { IsNull: false } v ? v.ToString()
            : throw new FormatException($"history of {room}: entry {id} has no `{name}`");
        // A ticket is optional (chat that came from no ticketed say, or an entry written before tickets were kept).
        var ticket = entry["k"] is { IsNull: false } k ? new RoomProtocol.SayTicket(k.ToString(), Number("i")) : null;
        return new StoredHistoryEntry(Number("e"), offset, new ChatPayload(room, Text("f"), Text("m"), Number("s")), Number("t"), ticket);
    }
}
