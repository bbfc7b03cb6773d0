using ChatCluster.Node.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Tests.Support;

/// <summary>
/// A real node on free loopback ports (hocon/test.conf: port 0 everywhere, fast cluster timings,
/// serialize-messages on). One per test class; derive to change settings with <see cref="Overrides"/>.
/// </summary>
public class NodeFixture : IAsyncLifetime
{
    public ChatNode Node { get; private set; } = null!;

    public int TcpPort => Node.TcpPort;

    public int WebPort => Node.WebPort;

    /// <summary>HOCON lines applied over test.conf, highest priority first.</summary>
    protected virtual IReadOnlyList<string> Overrides => Array.Empty<string>();

    /// <summary>The node's log lines (warnings and up), for tests that check what was logged.</summary>
    public LogCapture Log { get; } = new();

    public async Task InitializeAsync()
    {
        Node = await ChatNode.StartAsync(TestConfig.Node(Overrides) with { LogProvider = Log });
    }

    public async Task DisposeAsync() => await Node.StopAsync();

    public Task<TcpTestClient> Tcp() => TcpTestClient.ConnectAsync(TcpPort);

    public Task<WebSocketTestClient> Ws(string query = "") => WebSocketTestClient.ConnectAsync(WebPort, query);

    /// <summary>A room that exists and that no other test uses.</summary>
    public async Task<string> NewRoomAsync(string prefix = "room")
    {
        var room = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        await Node.Api.AddAsync(room);
        return room;
    }
}
