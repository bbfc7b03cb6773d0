using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Transports;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Connections;

/// <summary>
/// The positions-and-history extension of the verbs (docs/history.md), as pure rules: what a <c>roomAdd</c> asks for
/// beyond ActionHero's (positions, a position to recover from), what a <c>roomHistory</c> asks for, and the JSON of the
/// answers. A request without the extension's words parses to nothing, so stock clients see ActionHero's bytes.
/// <list type="bullet">
/// <item>websocket: <c>{"event":"roomAdd","room":"r","positions":true}</c>, <c>{"event":"roomAdd","room":"r","since":{"offset":12,"epoch":"…"}}</c>,
/// <c>{"event":"roomHistory","room":"r","limit":20,"since":{…}}</c></item>
/// <item>TCP: <c>roomAdd r positions</c>, <c>roomAdd r since 12 &lt;epoch&gt;</c>, <c>roomHistory r [limit]</c></item>
/// </list>
/// </summary>
public static class HistoryVerbs
{
    public const string RoomHistory = "roomHistory";

    /// <summary>The TCP word after the room that opts in to positions.</summary>
    public const string PositionsWord = "positions";

    /// <summary>The TCP word after the room that gives a position: <c>since &lt;offset&gt; &lt;epoch&gt;</c>.</summary>
    public const string SinceWord = "since";

    /// <summary>What a join asks for beyond ActionHero's: offsets on every message, and maybe a position to recover from.</summary>
    public sealed record JoinOptions(bool Positions, Position? Since);

    /// <summary>
    /// The extension part of a <c>roomAdd</c>: null options for a plain join (ActionHero's), or an error text.
    /// TCP words other than <c>positions</c> / <c>since</c> after the room are ignored, as ActionHero ignores them.
    /// </summary>
    public static (JoinOptions? Options, string? Error) ParseJoin(ClientRequest r, bool isTcp)
    {
        if (isTcp)
        {
            switch (r.Arg(1))
            {
                case PositionsWord:
                    return (new JoinOptions(true, null), null);
                case SinceWord:
                    var (since, error) = ParseWords(r.Arg(2), r.Arg(3));
                    return error is null ? (new JoinOptions(true, since), null) : (null, error);
                default:
                    return (null, null);
            }
        }
        // A stock client's frame has nothing beyond event, room and messageId: "{}" (no parse on the usual path).
        if (r.DataJson is not { Length: > 2 } data || JsonText.Parse(data) is not JsonObject frame) return (null, null);
        var positions = false;
        if (frame.TryGetPropertyValue("positions", out var flag))
        {
            if (flag is null || flag.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)) return (null, ChatErrors.PositionsFlagInvalid);
            positions = flag.GetValue<bool>();
        }
        if (!frame.TryGetPropertyValue("since", out var sinceNode)) return positions ? (new JoinOptions(true, null), null) : (null, null);
        var (position, bad) = ParsePosition(sinceNode);
        return bad is null ? (new JoinOptions(true, position), null) : (null, bad);
    }

    /// <summary>A <c>roomHistory</c> of a room the connection is in: the command for the room, or an error text.</summary>
    public static (ReadHistory? Command, string? Error) ParseHistory(ClientRequest r, bool isTcp, string connectionId, string room)
    {
        if (isTcp)
        {
            if (r.Arg(1) is not { } word) return (new ReadHistory(room, connectionId, int.MaxValue, null), null);
            return TryLimit(word, out var limit)
                ? (new ReadHistory(room, connectionId, limit, null), null)
                : (null, ChatErrors.HistoryLimitInvalid);
        }
        var frame = r.DataJson is { Length: > 2 } data ? JsonText.Parse(data) as JsonObject : null;
        var max = int.MaxValue;
        if (frame is not null && frame.TryGetPropertyValue("limit", out var limitNode))
        {
            // Our parser keeps whole numbers as long (TryGetValue<int> would refuse every one of them).
            if (limitNode is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<long>(out var asked) || asked < 1)
                return (null, ChatErrors.HistoryLimitInvalid);
            max = (int)Math.Min(asked, int.MaxValue);
        }
        Position? since = null;
        if (frame is not null && frame.TryGetPropertyValue("since", out var sinceNode))
        {
            var (position, bad) = ParsePosition(sinceNode);
            if (bad is not null) return (null, bad);
            since = position;
        }
        return (new ReadHistory(room, connectionId, max, since), null);
    }

    /// <summary><c>{"offset": whole number >= 0, "epoch": "digits"}</c>, or the error text naming what is wrong.</summary>
    public static (Position? Position, string? Error) ParsePosition(JsonNode? node)
    {
        if (node is not JsonObject o) return (null, ChatErrors.PositionNotObject);
        if (o["offset"] is not JsonValue offsetValue || offsetValue.GetValueKind() != JsonValueKind.Number
            || !offsetValue.TryGetValue<long>(out var offset) || offset < 0)
            return (null, ChatErrors.PositionOffsetInvalid);
        if (o["epoch"] is not JsonValue epochValue || !epochValue.TryGetValue<string>(out var epochText) || !TryEpoch(epochText, out var epoch))
            return (null, ChatErrors.PositionEpochInvalid);
        return (new Position(epoch, offset), null);
    }

    private static (Position?, string?) ParseWords(string? offsetWord, string? epochWord)
    {
        if (offsetWord is null || !long.TryParse(offsetWord, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            return (null, ChatErrors.PositionOffsetInvalid);
        if (epochWord is null || !TryEpoch(epochWord, out var epoch)) return (null, ChatErrors.PositionEpochInvalid);
        return (new Position(epoch, offset), null);
    }

    private static bool TryEpoch(string text, out long epoch) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out epoch) && epoch > 0;

    private static bool TryLimit(string word, out int limit) =>
        int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1;

    /// <summary>The join the room gets: ActionHero's, plus the extension's options when the client gave any.</summary>
    public static JoinRoom With(JoinRoom join, JoinOptions? options) =>
        options is null ? join : join with { Positions = options.Positions, Since = options.Since };

    /// <summary>The <c>data</c> of a join with positions: <c>{"recovered":…,"replayed":…,"epoch":"…","offset":…}</c> (recovered only with since).</summary>
    public static string PositionJson(PositionReply p)
    {
        var sb = new StringBuilder("{");
        if (p.Recovered is { } recovered)
            sb.Append("\"recovered\":").Append(recovered ? "true" : "false").Append(",\"replayed\":").Append(p.Replayed).Append(',');
        sb.Append("\"epoch\":\"").Append(ChatPayloadEncoder.EpochText(p.Epoch)).Append("\",\"offset\":").Append(p.Offset).Append('}');
        return sb.ToString();
    }

    /// <summary>
    /// The <c>data</c> of <c>roomHistory</c>: <c>{"room":…,"epoch":"…","offset":…,["recovered":…,]"messages":[…]}</c>, each
    /// message the event a member received, with its offset and epoch; oldest first.
    /// </summary>
    public static string HistoryJson(HistoryReply h)
    {
        var sb = new StringBuilder("{\"room\":").Append(JsonText.Quote(h.Room));
        sb.Append(",\"epoch\":\"").Append(ChatPayloadEncoder.EpochText(h.Epoch)).Append("\",\"offset\":").Append(h.Offset);
        if (h.Recovered is { } recovered) sb.Append(",\"recovered\":").Append(recovered ? "true" : "false");
        sb.Append(",\"messages\":[");
        for (var i = 0; i < h.Entries.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(Encoding.UTF8.GetString(ChatPayloadEncoder.EncodePositioned(h.Entries[i].Payload, h.Entries[i].Offset, h.Epoch)));
        }
        return sb.Append("]}").ToString();
    }
}
