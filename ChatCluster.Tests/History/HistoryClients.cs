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
}
