using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>TCP and websocket clients in one room see each other's messages, over real sockets.</summary>
public sealed class MixedTransportTests : IClassFixture<NodeFixture>
{
    private readonly NodeFixture _node;

    public MixedTransportTests(NodeFixture node) => _node = node;

    [Fact]
    public async Task Tcp_and_websocket_members_should_receive_each_others_messages()
    {
        var room = await _node.NewRoomAsync();
        await using var tcp = await (await _node.Tcp()).Welcomed();
        await using var ws = await (await _node.Ws()).Welcomed();

        Assert.Equal("OK", (string?)(await tcp.RequestAsync($"roomAdd {room}"))["status"]);
        Assert.Equal("OK", (string?)(await ws.RequestAsync(new { @event = "roomAdd", room, messageId = 1 }))["status"]);

        await tcp.SendLineAsync($"say {room} from tcp");
        var atWs = await ws.ReadUntilAsync(m => (string?)m["context"] == "user");
        Assert.Equal("from tcp", (string?)atWs["message"]);
        Assert.Equal(room, (string?)atWs["room"]);

        await ws.SendJsonAsync(new { @event = "say", room, message = "from ws", messageId = 2 });
        var atTcp = await tcp.ReadUntilAsync(m => (string?)m["message"] == "from ws");
        Assert.Equal("user", (string?)atTcp["context"]);
        Assert.True(_node.Node.Api.LocalConnectionIds().Count >= 2);
    }
}
