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
        ResponseWriter.WriteRaw(w, "message", p.MessageJson);
        w.WriteString("room", p.Room);
        w.WriteString("from", p.From);
        w.WriteString("context", "user");
        w.WriteNumber("sentAt", p.SentAt);
        w.WriteEndObject();
    });
}
