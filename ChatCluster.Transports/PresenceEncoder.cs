using ChatCluster.Messages;

namespace ChatCluster.Transports;

/// <summary>
/// The optional presence notice, <c>{"event":"join"|"leave","room":…,"id":…,"context":"presence","sentAt":…}</c>.
/// Its context is new, so ActionHero's client only emits it as a generic <c>message</c> event.
/// </summary>
public static class PresenceEncoder
{
    public static byte[] Encode(RoomProtocol.Presence presence) => ResponseWriter.Write(presence, static (w, p) =>
    {
        w.WriteStartObject();
        w.WriteString("event", p.Kind);
        w.WriteString("room", p.Room);
        w.WriteString("id", p.ConnectionId);
        w.WriteString("context", "presence");
        w.WriteNumber("sentAt", p.At);
        w.WriteEndObject();
    });
}
