using System.Text.Json.Nodes;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.History;

/// <summary>Steps the history tests share over real TCP clients.</summary>
public static class HistoryClients
{
    public static bool IsResponse(JsonObject m) => (string?)m["context"] == "response";

    /// <summary>
    /// A reader joins <paramref name="room"/> with positions, sees <paramref name="message"/> said by
    /// <paramref name="sender"/> (answered OK), and leaves: the position it would rejoin from.
    /// </summary>
    public static async Task<(string Epoch, long Offset)> PositionAfterAsync(Func<Task<TcpTestClient>> connectReader,
        TcpTestClient sender, string room, string message)
    {
        await using var reader = await connectReader();
        var joined = await reader.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room} positions");
        var epoch = (string)joined["data"]!["epoch"]!;
        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"say {room} {message}"))["status"]);
        var offset = (long)(await reader.ReadUntilAsync(m => (string?)m["message"] == message))["offset"]!;
        return (epoch, offset);
    }

    /// <summary>
    /// A ticketed say as a connection's node sends it (and sends it again, unchanged, when its OK is late), from a sender
    /// key no connection has (so no OK is written anywhere): the tests tell it twice to stand for a retry.
    /// </summary>
    public static ChatCluster.Messages.RoomProtocol.Say TicketedSay(string room, string text, Akka.Actor.IActorRef senderNode) =>
        new(new ChatCluster.Messages.ChatPayload(room, "retrying-sender", ChatCluster.Transports.JsonText.Quote(text), 1), WantAck: false,
            new ChatCluster.Messages.RoomProtocol.SayTicket("retrying-sender-" + Guid.NewGuid().ToString("N"), 1), senderNode);

    /// <summary>
    /// Waits until <paramref name="room"/> answers again through <paramref name="api"/> with one member, after its node
    /// crashed: while the room has no home the asks time out or are refused, which counts as "not yet" (asked through
    /// the server API, so no say of the test's is ordered meanwhile).
    /// </summary>
    public static Task RoomIsBackAfterCrashAsync(ChatCluster.Node.Api.ChatApi api, string room) =>
        Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await api.StatusAsync(room)).MembersCount == 1;
            }
            catch (Exception e) when (e is TimeoutException or Akka.Actor.AskTimeoutException or ChatCluster.Messages.ChatException)
            {
                return false;
            }
        }, "the room is back on a survivor, with its member", Timeouts.Expect * 6);

    /// <summary>
    /// The start of the retry tests: <paramref name="sender"/> joins <paramref name="room"/>, a reader's position is taken
    /// after one message, and a ticketed say is ordered once through <paramref name="region"/> and seen by the sender.
    /// Returns the position and the say, to be told again as the sender's retry.
    /// </summary>
    public static async Task<(string Epoch, long Offset, ChatCluster.Messages.RoomProtocol.Say Say)> TicketedSayOrderedOnceAsync(
        Func<Task<TcpTestClient>> connectReader, TcpTestClient sender, string room, string before, string text,
        Akka.Actor.IActorRef region, Akka.Actor.IActorRef senderNode)
    {
        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room}"))["status"]);
        var (epoch, offset) = await PositionAfterAsync(connectReader, sender, room, before);
        var say = TicketedSay(room, text, senderNode);
        region.Tell(say, Akka.Actor.ActorRefs.NoSender);
        await sender.ReadUntilAsync(m => (string?)m["message"] == text);
        return (epoch, offset, say);
    }

    /// <summary>The chat messages a rejoin replays and its answer, read until the answer.</summary>
    public static async Task<(List<JsonObject> Chat, JsonObject Reply)> RejoinAsync(TcpTestClient client, string room, long offset, string epoch)
    {
        var chat = new List<JsonObject>();
        var reply = await client.ReadUntilAsync(IsResponse, chat, sendFirst: $"roomAdd {room} since {offset} {epoch}");
        return (chat, reply);
    }
}
