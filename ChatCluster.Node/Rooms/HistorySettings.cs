using Akka.Configuration;
using ChatCluster.Transports.Limits;

namespace ChatCluster.Node.Rooms;

/// <summary>One rule of <c>chatcluster.history.rooms</c>: rooms whose name matches keep <paramref name="Size"/> messages for at most <paramref name="Ttl"/>.</summary>
public sealed record HistoryRule(string Pattern, int Size, TimeSpan Ttl);

/// <summary>
/// <c>chatcluster.history</c>: how many messages each room keeps for <c>roomHistory</c> and recovery, by room-name
/// pattern (the first matching rule applies; no match or size 0 = no history).
/// </summary>
public sealed record HistorySettings(IReadOnlyList<HistoryRule> Rules)
{
    /// <summary><c>chatcluster.history.max-chunk-bytes</c>: the most history the room sends in one message between nodes.</summary>
    public int MaxChunkBytes { get; init; } = 64 * 1024;

    /// <summary><c>chatcluster.history.store</c> resolved: true when history is also kept in Redis (survives the room's node).</summary>
    public bool InRedis { get; init; }

    /// <summary><c>chatcluster.history.store-read-timeout</c>: how long a starting room waits for its stored history.</summary>
    public TimeSpan StoreReadTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public static readonly HistorySettings Off = new(Array.Empty<HistoryRule>());

    /// <summary>The rule for <paramref name="room"/>, or null when the room keeps no history.</summary>
    public HistoryRule? For(string room)
    {
        foreach (var rule in Rules)
            if (RoomPattern.Matches(rule.Pattern, room)) return rule.Size > 0 ? rule : null;
        return null;
    }

    public static HistorySettings Create(Config root)
    {
        const string path = "chatcluster.history.rooms";
        const string maxPath = "chatcluster.history.max-size";
        if (!root.HasPath(path)) throw new ConfigurationException($"{path} is missing (see hocon/base.conf)");
        if (!root.HasPath(maxPath)) throw new ConfigurationException($"{maxPath} is missing (see hocon/base.conf)");
        var max = root.GetLong(maxPath);
        if (max is < 1 or > int.MaxValue) throw new ConfigurationException($"{maxPath} must be between 1 and {int.MaxValue}, was {max}");
        var rules = root.GetValue(path).GetArray().Select((v, i) => Rule(v.GetObject(), i, (int)max)).ToArray();
        const string chunkPath = "chatcluster.history.max-chunk-bytes";
        if (!root.HasPath(chunkPath)) throw new ConfigurationException($"{chunkPath} is missing (see hocon/base.conf)");
        var chunk = root.GetByteSize(chunkPath);
        if (chunk is not (>= 1024 and <= 120_000))
            throw new ConfigurationException($"{chunkPath} must be between 1024 and 120000 bytes (below Akka's remoting frame size), was {chunk}");
        const string timeoutPath = "chatcluster.history.store-read-timeout";
        var timeout = root.GetTimeSpan(timeoutPath, TimeSpan.Zero);
        if (timeout <= TimeSpan.Zero) throw new ConfigurationException($"{timeoutPath} must be a positive duration (e.g. 2s), was {root.GetString(timeoutPath, "")}");
        return new HistorySettings(rules) { MaxChunkBytes = (int)chunk, InRedis = StoreInRedis(root), StoreReadTimeout = timeout };
    }

    // auto: Redis when a key store is configured (the one place that outlives every node), else memory.
    private static bool StoreInRedis(Config root)
    {
        const string storePath = "chatcluster.history.store";
        var store = root.GetString(storePath, "auto")?.Trim() ?? "auto";
        var redis = (root.GetString("chatcluster.redis.keystore", "")?.Trim() ?? "").Length > 0;
        return store switch
        {
            "memory" => false,
            "auto" => redis,
            "redis" when redis => true,
            "redis" => throw new ConfigurationException($"{storePath} = redis needs chatcluster.redis.keystore (no Redis is configured)"),
            _ => throw new ConfigurationException($"{storePath} must be auto, memory or redis, was {store}"),
        };
    }

    private static HistoryRule Rule(Akka.Configuration.Hocon.HoconObject entry, int index, int max)
    {
        var fields = entry.Items;
        string Field(string name) => fields.TryGetValue(name, out var v) ? v.GetString()
            : throw new ConfigurationException($"chatcluster.history.rooms[{index}] needs `{name}`");
        var pattern = Field("pattern");
        if (!int.TryParse(Field("size"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size)
            || size > max)
            throw new ConfigurationException(
                $"chatcluster.history.rooms[{index}].size must be a whole number from 0 to chatcluster.history.max-size ({max}), was {Field("size")}");
        var ttlText = Field("ttl");
        TimeSpan ttl;
        try
        {
            ttl = fields["ttl"].GetTimeSpan();
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or ConfigurationException)
        {
            throw new ConfigurationException($"chatcluster.history.rooms[{index}].ttl must be a duration >= 0 (e.g. 5m; 0 = no age bound), was {ttlText}");
        }
        if (ttl < TimeSpan.Zero)
            throw new ConfigurationException($"chatcluster.history.rooms[{index}].ttl must be a duration >= 0, was {ttlText}");
        return new HistoryRule(pattern, size, ttl);
    }
}
