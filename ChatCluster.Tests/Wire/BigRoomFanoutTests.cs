using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// A room with more local members than the fan-out writes inline goes through the fan-out lanes (all cores): every
/// member, the senders included, still gets every message once and each sender's messages in the order they were said.
/// </summary>
public sealed class BigRoomFanoutTests : IClassFixture<NodeFixture>
{
    private const int Members = 48; // above the inline limit of 32 members per node
    private const int PerSender = 15;

    private readonly NodeFixture _node;

    public BigRoomFanoutTests(NodeFixture node) => _node = node;

    [Fact]
    public async Task Every_member_of_a_big_room_should_get_every_message_in_each_senders_order()
    {
        var room = await _node.NewRoomAsync();
        var clients = new List<TcpTestClient>();
        try
        {
            for (var i = 0; i < Members; i++)
            {
                var client = await (await _node.Tcp()).Welcomed();
                clients.Add(client);
                Assert.Equal("OK", (string?)(await client.RequestAsync($"roomAdd {room}"))["status"]);
            }
            // Two senders at once; each member must see "a0..a14" and "b0..b14" in order (interleaving is free).
            var sayA = Task.Run(async () =>
            {
                for (var k = 0; k < PerSender; k++) await clients[0].SendAsync(System.Text.Encoding.ASCII.GetBytes($"say {room} a{k}\n"));
            });
            var sayB = Task.Run(async () =>
            {
                for (var k = 0; k < PerSender; k++) await clients[1].SendAsync(System.Text.Encoding.ASCII.GetBytes($"say {room} b{k}\n"));
            });
            await Task.WhenAll(sayA, sayB);

            await Task.WhenAll(clients.Select(async client =>
            {
                var got = new List<string>();
                while (got.Count < 2 * PerSender)
                {
                    var m = await client.ReadJsonAsync();
                    if (m["message"] is { } message) got.Add((string)message!);
                }
                Assert.Equal(Enumerable.Range(0, PerSender).Select(k => "a" + k), got.Where(s => s[0] == 'a'));
                Assert.Equal(Enumerable.Range(0, PerSender).Select(k => "b" + k), got.Where(s => s[0] == 'b'));
                Assert.True(await client.IsSilentAsync(), "a member got more than every message once");
            }));
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }
}
