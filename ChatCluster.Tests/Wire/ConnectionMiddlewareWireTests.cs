using System.Collections.Concurrent;
using System.Collections.Immutable;
using ChatCluster.Node.Middleware;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>A node of its own: connection middleware sees every connection of its node.</summary>
public sealed class ConnectionMiddlewareNodeFixture : NodeFixture
{
}

/// <summary>Connection create/destroy middleware (spec section 8) over real sockets.</summary>
public sealed class ConnectionMiddlewareWireTests : IClassFixture<ConnectionMiddlewareNodeFixture>
{
    private readonly ConnectionMiddlewareNodeFixture _node;

    public ConnectionMiddlewareWireTests(ConnectionMiddlewareNodeFixture node) => _node = node;

    private MiddlewareRegistry Registry => _node.Node.Middleware;

    private static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task The_create_hook_should_run_before_the_welcome_is_sent(Transport transport)
    {
        var created = new ConcurrentQueue<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var name = UniqueName("create");
        Registry.Add(new ConnectionMiddleware(name)
        {
            Create = async connection =>
            {
                created.Enqueue(connection.Id);
                await gate.Task;
            },
        });
        try
        {
            await using var client = await WireClient.ConnectAsync(_node, transport, welcomed: false);
            await Eventually.TrueAsync(() => !created.IsEmpty, "the create hook to run");
            Assert.True(await client.IsSilentAsync(), "the welcome was sent while the create hook was still running");

            gate.SetResult();
            Assert.Equal(client.Dialect.Welcome, await client.NextTextAsync());

            var id = await client.IdAsync();
            Assert.Equal(new[] { id }, created.ToArray());
        }
        finally
        {
            gate.TrySetResult();
            Registry.Remove(name);
        }
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_create_hook_that_throws_should_not_keep_the_welcome_back(Transport transport)
    {
        var ran = 0;
        var name = UniqueName("create-throws");
        Registry.Add(new ConnectionMiddleware(name)
        {
            Create = _ =>
            {
                Interlocked.Increment(ref ran);
                throw new InvalidOperationException("create hook exploded");
            },
        });
        try
        {
            await using var client = await WireClient.ConnectAsync(_node, transport); // reads the welcome
            Assert.Equal(1, Volatile.Read(ref ran));
            Assert.NotEmpty(await client.IdAsync()); // and the connection works
        }
        finally
        {
            Registry.Remove(name);
        }
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task The_destroy_hook_should_run_when_the_connection_closes_and_still_see_its_rooms(Transport transport)
    {
        var room = await _node.NewRoomAsync("destroy");
        var destroyed = new ConcurrentDictionary<string, ImmutableArray<string>>();
        var name = UniqueName("destroy");
        Registry.Add(new ConnectionMiddleware(name)
        {
            Destroy = connection =>
            {
                destroyed[connection.Id] = connection.Rooms;
                return ValueTask.CompletedTask;
            },
        });
        try
        {
            string id;
            await using (var client = await WireClient.ConnectAsync(_node, transport))
            {
                await client.JoinAsync(room);
                id = await client.IdAsync();
                Assert.False(destroyed.ContainsKey(id), "the destroy hook ran for an open connection");
            } // closes the socket

            await Eventually.TrueAsync(() => destroyed.ContainsKey(id), "the destroy hook to run for " + id);
            Assert.Equal(new[] { room }, destroyed[id].ToArray());
            await Eventually.TrueAsync(() => !_node.Node.Api.LocalConnectionIds().Contains(id), "the connection to be gone");
        }
        finally
        {
            Registry.Remove(name);
        }
    }

    [Fact]
    public async Task The_destroy_hook_should_run_when_a_tcp_client_quits()
    {
        var destroyed = new ConcurrentDictionary<string, bool>();
        var name = UniqueName("destroy-quit");
        Registry.Add(new ConnectionMiddleware(name)
        {
            Destroy = connection =>
            {
                destroyed[connection.Id] = true;
                return ValueTask.CompletedTask;
            },
        });
        try
        {
            await using var client = await (await _node.Tcp()).Welcomed();
            var id = (string)(await client.RequestAsync("detailsView"))["data"]!["id"]!;
            await client.SendLineAsync("quit");
            var lines = await client.ReadToEndAsync();
            Assert.Contains(lines, l => l.Contains("\"context\":\"api\"", StringComparison.Ordinal));
            await Eventually.TrueAsync(() => destroyed.ContainsKey(id), "the destroy hook to run after quit");
        }
        finally
        {
            Registry.Remove(name);
        }
    }
}
