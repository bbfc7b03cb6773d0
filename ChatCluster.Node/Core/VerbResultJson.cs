using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Transports;

namespace ChatCluster.Node.Core;

/// <summary>
/// The JSON shapes of verb results (detailsView, roomView, and the API's room status), key order as ActionHero
/// writes them.
/// </summary>
public static class VerbResultJson
{
    /// <summary><c>{id, fingerprint, remoteIP, remotePort, params, connectedAt, rooms, totalActions, pendingActions}</c></summary>
    public static string Details(string id, string fingerprint, string remoteIp, int remotePort, JsonObject parameters,
        long connectedAt, IReadOnlyList<string> rooms, int totalActions, int pendingActions) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("fingerprint", fingerprint);
        w.WriteString("remoteIP", remoteIp);
        w.WriteNumber("remotePort", remotePort);
        w.WritePropertyName("params");
        parameters.WriteTo(w);
        w.WriteNumber("connectedAt", connectedAt);
        w.WriteStartArray("rooms");
        foreach (var room in rooms) w.WriteStringValue(room);
        w.WriteEndArray();
        w.WriteNumber("totalActions", totalActions);
        w.WriteNumber("pendingActions", pendingActions);
        w.WriteEndObject();
    });

    /// <summary><c>{room, members:{id:{id, joinedAt}}, membersCount}</c></summary>
    public static string RoomStatus(string room, IReadOnlyList<RoomProtocol.RoomMember> members) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("room", room);
        w.WriteStartObject("members");
        foreach (var m in members)
        {
            w.WriteStartObject(m.ConnectionId);
            w.WriteString("id", m.ConnectionId);
            w.WriteNumber("joinedAt", m.JoinedAt);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteNumber("membersCount", members.Count);
        w.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, JsonText.WriterOptions)) body(w);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
