using System.Text.Json.Nodes;
using Akka.Cluster;
using ChatCluster.Messages;
using ChatCluster.Node.Api;
using ChatCluster.Node.Hosting;
using ChatCluster.Node.Redis;
using ChatCluster.Tests.Support;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ChatCluster.Tests.Redis;

/// <summary>
/// Failures around the adapter: Redis stopped and started again under a running node (own redis-server, so the
/// shared one is never disturbed), and a ChatCluster node crashing while its members are in ActionHero's hashes.
/// </summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task Node_should_keep_local_chat_while_redis_is_down_and_reconnect_when_it_is_back()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        ChatNode? node = null;
        try
        {
            var channel = RedisNode.NewChannel();
            // Journal off: this test is about the adapter; the journal's outage behaviour has its own specs.
            node = await RedisNode.StartAsync(redis.ConnectionString, channel, "t", "chatcluster.redis.journal = off");
            var room = RedisNode.NewRoom();
            await node.Api.AddAsync(room);
            await using var a = await (await TcpTestClient.ConnectAsync(node.TcpPort)).Welcomed();
            await using var b = await (await TcpTestClient.ConnectAsync(node.TcpPort)).Welcomed();
            Assert.Equal("OK", (string?)(await a.RequestAsync("roomAdd " + room))["status"]);
            Assert.Equal("OK", (string?)(await b.RequestAsync("roomAdd " + room))["status"]);
            var bId = (string)(await b.RequestAsync("detailsView"))["data"]!["id"]!;

            redis.Stop();
            await Eventually.TrueAsync(() => !node.Redis!.PubSubConnected && !node.Redis.KeyStoreConnected, "the adapter noticed redis is gone");

            // Local chat goes on, without waiting for Redis.
            await a.SendLineAsync("say " + room + " while redis is down");
            await a.ReadUntilAsync(j => (string?)j["context"] == "user");
            Assert.Equal("while redis is down", (string?)(await b.ReadUntilAsync(j => (string?)j["context"] == "user"))["message"]);
            Assert.Equal("OK", (string?)(await a.RequestAsync("roomView " + room))["status"]);

            // RPC fails at once with a clear error instead of hanging.
            var started = DateTime.UtcNow;
            var e = await Assert.ThrowsAsync<ChatException>(() => node.Api.SendMessageAsync("somewhere", new JsonObject { ["x"] = 1 }));
            Assert.Equal(ChatErrors.RpcUnavailable, e.Message);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3), "RPC failed fast");

            await redis.RestartAsync(); // empty: no persistence
            await Eventually.TrueAsync(() => node.Redis!.PubSubConnected && node.Redis.KeyStoreConnected, "the adapter reconnected");

            // The node re-announces its members (and their room) to the empty key store...
            await using var client = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            var db = client.GetDatabase();
            await Eventually.TrueAsync(async () => await db.HashExistsAsync(RedisChatKeys.MembersPrefix + room, bId)
                && await db.SetContainsAsync(RedisChatKeys.Rooms, room), "members and room written again after the restart");
            // ...and publishes on the bus again (the subscription came back too: ActionHero's chat reaches our member).
            await using var recorder = await BusRecorder.StartAsync(redis.ConnectionString, channel);
            await Eventually.TrueAsync(async () =>
            {
                await a.SendLineAsync("say " + room + " after");
                try
                {
                    await recorder.NextAsync(j => (string?)j["messageType"] == "chat", TimeSpan.FromMilliseconds(500));
                    return true;
                }
                catch (TimeoutException)
                {
                    return false;
                }
            }, "our chat is published again");
            await client.GetSubscriber().PublishAsync(RedisChannel.Literal(channel),
                $"{{\"messageType\":\"chat\",\"serverToken\":\"t\",\"serverId\":\"192.0.2.2\",\"message\":\"from ah\",\"sentAt\":1,\"connection\":{{\"id\":\"x\",\"room\":\"{room}\"}}}}");
            await b.ReadUntilAsync(j => (string?)j["message"] == "from ah");
        }
        finally
        {
            if (node is not null) await node.StopAsync();
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task Node_started_while_redis_is_down_should_subscribe_to_the_bus_once_redis_is_up()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        redis.Stop(); // the port is known and nothing listens on it: the node's SUBSCRIBE is refused at start
        ChatNode? node = null;
        try
        {
            var channel = RedisNode.NewChannel();
            node = await RedisNode.StartAsync(redis.ConnectionString, channel, "t", "chatcluster.redis.journal = off",
                "chatcluster.redis.subscribe-retry-interval = 200ms");
            var room = RedisNode.NewRoom();
            await node.Api.AddAsync(room);
            await using var a = await (await TcpTestClient.ConnectAsync(node.TcpPort)).Welcomed();
            Assert.Equal("OK", (string?)(await a.RequestAsync("roomAdd " + room))["status"]);

            await redis.RestartAsync();
            // An ActionHero node's chat reaches our member only once the node has subscribed (which used to never
            // happen: the start threw, or the refused subscription was not restored by the reconnect).
            await using var client = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            await Eventually.TrueAsync(async () =>
            {
                await client.GetSubscriber().PublishAsync(RedisChannel.Literal(channel),
                    $"{{\"messageType\":\"chat\",\"serverToken\":\"t\",\"serverId\":\"192.0.2.2\",\"message\":\"from ah\",\"sentAt\":1,\"connection\":{{\"id\":\"x\",\"room\":\"{room}\"}}}}");
                try
                {
                    await a.ReadUntilAsync(j => (string?)j["message"] == "from ah", timeout: TimeSpan.FromMilliseconds(500));
                    return true;
                }
                catch (TimeoutException)
                {
                    return false;
                }
            }, "ActionHero's chat reaches the member after redis came up", TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (node is not null) await node.StopAsync();
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task Members_of_a_crashed_ChatCluster_node_should_be_removed_from_the_hash_by_the_survivors()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        var channel = RedisNode.NewChannel();
        var overrides = RedisNode.Overrides(redis.ConnectionString, channel);
        var cluster = await TestCluster.StartAsync(3, overrides); // 3: the split-brain resolver keeps the majority
        try
        {
            var survivor = cluster[0];
            var doomed = cluster[2];
            var room = await cluster.RoomHostedOnAsync(survivor, "crash");
            await using var a = await (await TcpTestClient.ConnectAsync(survivor.TcpPort)).Welcomed();
            var d = await (await TcpTestClient.ConnectAsync(doomed.TcpPort)).Welcomed();
            Assert.Equal("OK", (string?)(await a.RequestAsync("roomAdd " + room))["status"]);
            Assert.Equal("OK", (string?)(await d.RequestAsync("roomAdd " + room))["status"]);
            var dId = (string)(await d.RequestAsync("detailsView"))["data"]!["id"]!;
            await using var client = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            var db = client.GetDatabase();
            var members = RedisChatKeys.MembersPrefix + room;
            await Eventually.TrueAsync(async () => await db.HashLengthAsync(members) == 2, "both members in the hash");
            var host = BusJson.ParseMember(await db.HashGetAsync(members, dId)).Host;
            Assert.Equal(doomed.Redis!.ServerId, host);

            await doomed.CrashAsync();
            await d.DisposeAsync();
            await Eventually.TrueAsync(async () => !await db.HashExistsAsync(members, dId), "the crashed node's member is gone from the hash",
                TimeSpan.FromSeconds(30)); // failure detection + split-brain resolver's stable-after, then Terminated
            Assert.Equal(1, await db.HashLengthAsync(members));
            // Chat goes on for the survivor.
            await a.SendLineAsync("say " + room + " still here");
            Assert.Equal("still here", (string?)(await a.ReadUntilAsync(j => (string?)j["context"] == "user"))["message"]);
        }
        finally
        {
            await cluster.DisposeAsync();
            await redis.DisposeAsync();
        }
    }
}
