using ChatCluster.Messages;

namespace ChatCluster.Transports;

/// <summary>
/// The chat event every member receives (spec section 3), key order as ActionHero writes it:
/// <c>{"message":…,"room":…,"from":…,"context":"user","sentAt":…}</c>. Encoded once per node and the
/// same bytes are queued for every local member, whatever its transport.
/// </summary>
public static class ChatPayloadEncoder
{
    public static byte[] Encode(ChatPayload payload) => ResponseWriter.Write(payload, static (w, p) =>
    {
        w.WriteStartObject();
        WriteFields(w, p);
        w.WriteEndObject();
    });

    /// <summary>
    /// The same event for a client that opted in to positions (docs/history.md): ActionHero's keys first, then the
    /// message's <c>offset</c> in its room and the room's <c>epoch</c> (a string: 64-bit, more than a JavaScript number holds).
    /// </summary>
    public static byte[] EncodePositioned(ChatPayload payload, long offset, long epoch) =>
        ResponseWriter.Write((payload, offset, epoch), static (w, s) =>
        {
            w.WriteStartObject();
            WriteFields(w, s.payload);
            w.WriteNumber("offset", s.offset);
            w.WriteString("epoch", EpochText(s.epoch));
            w.WriteEndObject();
        });

    // ActionHero's keys, in its order.
    private static void WriteFields(System.Text.Json.Utf8JsonWriter w, ChatPayload p)
    {
        ResponseWriter.WriteRaw(w, "message", p.MessageJson);
        w.WriteString("room", p.Room);
        w.WriteString("from", p.From);
        w.WriteString("context", "user");
        w.WriteNumber("sentAt", p.SentAt);
    }

    /// <summary>An epoch as clients see it: decimal digits in a JSON string.</summary>
    public static string EpochText(long epoch) => epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
