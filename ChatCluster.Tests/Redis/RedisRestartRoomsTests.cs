using ChatCluster.Node.Hosting;
using ChatCluster.Node.Redis;
using ChatCluster.Tests.Support;
using StackExchange.Redis;

namespace ChatCluster.Tests.Redis;

/// <summary>
/// A Redis that restarts empty (issue 12, item 6): rooms the cluster knows come back into ActionHero's rooms SET,
/// including rooms without members (no fan-out resends those); and bus messages with another serverToken are noticed.
/// </summary>
public sealed class RedisRestartRoomsTests
{
    [Fact]
    public async Task Rooms_without_members_should_be_rewritten_when_redis_comes_back_empty()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        ChatNode? node = null;
        try
        {
            node = await RedisNode.StartAsync(redis.ConnectionString, RedisNode.NewChannel(), "t", "chatcluster.redis.journal = off");
            var empty = RedisNode.NewRoom();
            await node.Api.AddAsync(empty);
            await using var client = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",abortConnect=false");
            Assert.True(await client.GetDatabase().SetContainsAsync(RedisChatKeys.Rooms, empty));

            await redis.RestartAsync(); // empty: no persistence
            await Eventually.TrueAsync(async () => client.IsConnected && await client.GetDatabase().SetContainsAsync(RedisChatKeys.Rooms, empty),
                "the member-less room is back in actionhero:chatRoom:rooms");
            Assert.True(await node.Api.ExistsAsync(empty));
        }
        finally
        {
            if (node is not null) await node.StopAsync();
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_flushed_key_store_should_not_destroy_rooms_and_should_get_them_back()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        ChatNode? node = null;
        try
        {
            node = await RedisNode.StartAsync(redis.ConnectionString, RedisNode.NewChannel(), "t", "chatcluster.redis.journal = off");
            var room = RedisNode.NewRoom();
            await node.Api.AddAsync(room);
            await using var member = await (await TcpTestClient.ConnectAsync(node.TcpPort)).Welcomed();
            Assert.Equal("OK", (string?)(await member.RequestAsync("roomAdd " + room))["status"]);
            await using var client = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
            await client.GetServer(client.GetEndPoints()[0]).FlushAllDatabasesAsync();

            // The room consults the (now empty) rooms SET: an empty SET is lost data, not a destroy.
            Assert.Equal("OK", (string?)(await member.RequestAsync("roomView " + room))["status"]);
            await Eventually.TrueAsync(async () => await client.GetDatabase().SetContainsAsync(RedisChatKeys.Rooms, room), "the room is written back");
            Assert.True(await node.Api.ExistsAsync(room));
        }
        finally
        {
            if (node is not null) await node.StopAsync();
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task Bus_messages_with_another_server_token_should_be_noticed()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        ChatNode? node = null;
        try
        {
            var channel = RedisNode.NewChannel();
            node = await RedisNode.StartAsync(redis.ConnectionString, channel, "ours", "chatcluster.redis.journal = off");
            await using var client = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            var bus = client.GetSubscriber();
            await bus.PublishAsync(RedisChannel.Literal(channel),
                "{\"messageType\":\"chat\",\"serverToken\":\"ours\",\"serverId\":\"192.0.2.1\",\"message\":\"m\",\"sentAt\":1,\"connection\":{\"id\":\"x\",\"room\":\"r\"}}");
            await bus.PublishAsync(RedisChannel.Literal(channel), "not json");
            await bus.PublishAsync(RedisChannel.Literal(channel),
                "{\"messageType\":\"chat\",\"serverToken\":\"theirs\",\"serverId\":\"192.0.2.2\",\"message\":\"m\",\"sentAt\":1,\"connection\":{\"id\":\"x\",\"room\":\"r\"}}");
            await Eventually.TrueAsync(() => node.Redis!.ForeignTokenMessages == 1, "exactly the message with the other token counted");
        }
        finally
        {
            if (node is not null) await node.StopAsync();
            await redis.DisposeAsync();
        }
    }
}
