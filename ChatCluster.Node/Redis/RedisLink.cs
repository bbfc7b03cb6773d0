using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Node.Core;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ChatCluster.Node.Redis;

/// <summary>
/// The two connections to ActionHero's Redis, as ActionHero opens them (key store for commands, pub/sub for the bus),
/// and what every role of the adapter shares about them: the database, publishing on the channel, which serverIds are
/// ours, and the one rule for failures (a Redis failure is logged and never reaches a client as an exception, except
/// an RPC's, which becomes a catalogue error).
/// </summary>
internal sealed class RedisLink
{
    private readonly string _ourPrefix;

    public RedisLink(RedisChatSettings settings, string serverId, string systemName, ConnectionMultiplexer keystore,
        ConnectionMultiplexer pubsub, ILogger log)
    {
        Settings = settings;
        ServerId = serverId;
        _ourPrefix = systemName + "@";
        KeyStore = keystore;
        PubSub = pubsub;
        Log = log;
    }

    public RedisChatSettings Settings { get; }

    public string ServerId { get; }

    public ConnectionMultiplexer KeyStore { get; }

    public ConnectionMultiplexer PubSub { get; }

    public ILogger Log { get; }

    /// <summary>Set once the node's actor system runs (the adapter starts after the shard region exists).</summary>
    public ActorSystem? System { get; set; }

    public TimeSpan AskTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public IDatabase Db => KeyStore.GetDatabase();

    public RedisChannel Channel => RedisChatKeys.Channel(Settings.Channel);

    /// <summary>PUBLISH for an RPC: a failure becomes <see cref="ChatErrors.RpcUnavailable"/>.</summary>
    public async Task PublishAsync(string text)
    {
        try
        {
            await PubSub.GetSubscriber().PublishAsync(Channel, text).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFailure(e))
        {
            throw new ChatException(ChatErrors.RpcUnavailable);
        }
    }

    /// <summary>PUBLISH of a notice or chat: a failure is logged (debug) and dropped, as ActionHero's publish would be lost.</summary>
    public async Task PublishQuietly(string text)
    {
        try
        {
            await PubSub.GetSubscriber().PublishAsync(Channel, text).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFailure(e))
        {
            Log.LogDebug("PUBLISH on {Channel} failed: {Error}", Settings.Channel, e.Message);
        }
    }

    /// <summary>A fire-and-forget key store write whose failure is logged (debug).</summary>
    public void Quietly(Task task, string command, string room, string id) =>
        task.ContinueWith(t => Log.LogDebug("{Command} {Room} {Id} failed: {Error}", command, room, id, t.Exception?.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Waits at most command-timeout; Redis failures end the wait quietly (used on the way down).</summary>
    public async Task Bounded(Task task)
    {
        try
        {
            await task.WaitAsync(Settings.CommandTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFailure(e))
        {
        }
    }

    /// <summary>True for a serverId of a ChatCluster node (ours, derived from a cluster address, or carried as a role).</summary>
    public bool IsOurs(string? serverId)
    {
        if (serverId is null) return false;
        if (serverId == ServerId || serverId.StartsWith(_ourPrefix, StringComparison.Ordinal)) return true;
        var cluster = System is null ? null : Akka.Cluster.Cluster.Get(System);
        if (cluster is null) return false;
        var role = RedisChatSettings.ServerIdRolePrefix + serverId;
        foreach (var member in cluster.State.Members)
            if (member.HasRole(role)) return true;
        return false;
    }

    public static bool IsFailure(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException;

    public static string NewId() => Guid.NewGuid().ToString();
}
