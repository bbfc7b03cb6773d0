using System.Text.Json.Nodes;
using System.Threading.Channels;
using ChatCluster.Node.Hosting;
using ChatCluster.Tests.Support;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ChatCluster.Tests.Redis;

/// <summary>
/// A ChatCluster node with the Redis adapter on a test's redis-server. Each one gets its own channel and serverToken
/// (tests share the server; ActionHero's keys have no prefix, so tests also use their own room names), and the journal
/// keys their own prefix.
/// </summary>
public static class RedisNode
{
    public static string NewChannel() => "ah-" + Guid.NewGuid().ToString("N")[..8];

    public static string[] Overrides(string connectionString, string channel, string token = "test-token", params string[] more) =>
        more.Concat(new[]
        {
            $"chatcluster.redis.keystore = \"{connectionString}\"",
            $"chatcluster.redis.channel = \"{channel}\"",
            $"chatcluster.redis.server-token = \"{token}\"",
            $"chatcluster.redis.journal-key-prefix = \"{RedisServerFixture.NewKeyPrefix("cc")}\"",
            "chatcluster.starting-rooms = []",
        }).ToArray();

    public static Task<ChatNode> StartAsync(string connectionString, string channel, string token = "test-token", params string[] more) =>
        ChatNode.StartAsync(TestConfig.Node(Overrides(connectionString, channel, token, more), "redisnode"));

    public static string NewRoom(string prefix = "r") => prefix + "-" + Guid.NewGuid().ToString("N")[..8];
}

/// <summary>Everything published on one channel, as raw text, for exact comparisons.</summary>
public sealed class BusRecorder : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();

    private BusRecorder(ConnectionMultiplexer redis) => _redis = redis;

    public static async Task<BusRecorder> StartAsync(string connectionString, string channel)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(connectionString);
        var recorder = new BusRecorder(redis);
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
        queue.OnMessage(m => { recorder._messages.Writer.TryWrite(m.Message.ToString()); });
        return recorder;
    }

    /// <summary>The next message whose JSON matches; the others are skipped. Fails after <see cref="Timeouts.Expect"/>.</summary>
    public async Task<string> NextAsync(Func<JsonObject, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeouts.Expect);
        try
        {
            while (true)
            {
                var text = await _messages.Reader.ReadAsync(cts.Token);
                if (JsonNode.Parse(text) is JsonObject json && match(json)) return text;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no matching bus message");
        }
    }

    /// <summary>True when no matching message arrives within <paramref name="window"/>.</summary>
    public async Task<bool> NoneAsync(Func<JsonObject, bool> match, TimeSpan? window = null)
    {
        try
        {
            await NextAsync(match, window ?? Timeouts.Silence);
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}
