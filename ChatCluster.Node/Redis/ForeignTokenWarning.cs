using System.Text.Json;
using System.Text.Json.Nodes;
using ChatCluster.Transports;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Redis;

/// <summary>
/// Notices bus messages that carry a serverToken other than ours (ActionHero ignores them, and so do we): in a mixed
/// cluster that is almost always a misconfigured <c>chatcluster.redis.server-token</c>, which otherwise cuts all chat
/// with the ActionHero nodes without a word. One warning per interval, with how many were ignored since the last.
/// </summary>
public sealed class ForeignTokenWarning
{
    private readonly ILogger _log;
    private readonly long _intervalMs;
    private long _lastWarnedAt = long.MinValue;
    private int _ignored;

    public ForeignTokenWarning(ILogger log, TimeSpan interval)
    {
        _log = log;
        _intervalMs = (long)interval.TotalMilliseconds;
    }

    /// <summary>Total foreign-token messages seen (for tests and metrics).</summary>
    public int Seen { get; private set; }

    /// <summary>Called for a bus message the serverToken filter dropped; true when it carried a (different) token.</summary>
    public bool Note(string text, long nowMs)
    {
        string? serverId;
        try
        {
            if (JsonText.Parse(text) is not JsonObject obj || obj["serverToken"] is null) return false;
            serverId = obj["serverId"] is JsonValue v && v.TryGetValue<string>(out var id) ? id : null;
        }
        catch (JsonException)
        {
            return false;
        }
        Seen++;
        _ignored++;
        if (_lastWarnedAt != long.MinValue && nowMs - _lastWarnedAt < _intervalMs) return true;
        _log.LogWarning(
            "ignored {Count} bus message(s) with a different serverToken (latest from serverId {ServerId}): chat with those nodes is cut; " +
            "chatcluster.redis.server-token must equal ActionHero's config.general.serverToken",
            _ignored, serverId ?? "?");
        _lastWarnedAt = nowMs;
        _ignored = 0;
        return true;
    }
}
