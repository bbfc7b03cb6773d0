using System.Text.Json.Nodes;
using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Node.Core;
using ChatCluster.Node.Mirror;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Redis;

/// <summary>
/// This node's end of ActionHero's Redis cluster (spec 1, 2), as the cluster's <see cref="IChatMirror"/>: it mirrors
/// rooms and members into ActionHero's keys, publishes the chat our rooms order, delivers chat published by ActionHero
/// nodes to this node's members, and speaks the cluster RPC (<c>do</c> / <c>doResponse</c>) both ways. It composes one
/// part per role: <see cref="RedisLink"/> (the two connections), <see cref="RedisRoomStore"/>,
/// <see cref="RedisMemberStore"/>, <see cref="RedisRpcClient"/> and <see cref="RedisBusListener"/>.
///
/// Who writes what (each write exactly once in the ChatCluster cluster):
/// <code>
///   room created / destroyed        the RoomActor (single writer of the room): SISMEMBER+SADD / HGETALL, RPC, SREM, DEL
///   member joined / left            the node holding the connection (its fan-out actor): HSET / HDEL
///   member's node crashed           the RoomActor (Terminated, or after a move: prune entries of dead ChatCluster nodes)
///   chat said in a room             the RoomActor, once per message, after ordering it (PUBLISH chat)
///   chat from an ActionHero node    every ChatCluster node, to its own local members only (bus messages from
///                                   ChatCluster nodes are ignored: those reached our members through Akka)
/// </code>
/// Redis down: every command fails at once (FailFast backlog) and is logged; local chat never waits for Redis; the
/// multiplexers reconnect by themselves and this node re-announces its members when the key store is back.
/// </summary>
public sealed class RedisChatAdapter : IChatMirror, IAsyncDisposable
{
    private readonly RedisLink _link;
    private readonly RedisRpcClient _rpc;
    private readonly RedisRoomStore _rooms;
    private readonly RedisMemberStore _members;
    private readonly RedisBusListener _bus;
    private IActorRef? _fanout;
    private int _disposed;

    private RedisChatAdapter(RedisLink link)
    {
        _link = link;
        _rpc = new RedisRpcClient(link);
        _rooms = new RedisRoomStore(link, _rpc);
        _members = new RedisMemberStore(link);
        _bus = new RedisBusListener(link, _rpc);
        foreach (var (role, mux) in new[] { ("keystore", link.KeyStore), ("pubsub", link.PubSub) })
        {
            mux.ConnectionFailed += (_, e) => RedisLog.ConnectionLost(link.Log, role, e.EndPoint, e.ConnectionType, e.FailureType);
            mux.ConnectionRestored += (_, e) =>
            {
                RedisLog.ConnectionRegained(link.Log, role, e.EndPoint, e.ConnectionType);
                if (role == "keystore" && e.ConnectionType == ConnectionType.Interactive)
                {
                    _rooms.KeyStoreRegained(); // first: no SISMEMBER answer of a store that may be empty is trusted from now
                    _fanout?.Tell(new Akka.Routing.Broadcast(MirrorResync.Instance)); // every fan-out partition: our members
                }
            };
        }
    }

    /// <summary>This node's serverId on the bus (and the <c>host</c> of its members).</summary>
    public string ServerId => _link.ServerId;

    public RedisChatSettings Settings => _link.Settings;

    /// <summary>Room history in Redis on the key store's connection (one connection: the room's writes stay in order).</summary>
    public Rooms.IHistoryStore HistoryStore() => new RedisHistoryStore(_link.KeyStore, _link.Settings.JournalKeyPrefix);

    public bool KeyStoreConnected => _link.KeyStore.IsConnected;

    public bool PubSubConnected => _link.PubSub.IsConnected;

    /// <summary>Bus messages ignored because of another serverToken (see <see cref="ForeignTokenWarning"/>).</summary>
    public int ForeignTokenMessages => _bus.ForeignTokenMessages;

    /// <summary>Opens both connections. A Redis that is down does not fail the start: the adapter reconnects.</summary>
    public static async Task<RedisChatAdapter> ConnectAsync(RedisChatSettings settings, string serverId, string systemName, ILogger log)
    {
        var keystore = await ConnectionMultiplexer.ConnectAsync(settings.Options(settings.Keystore, "chatcluster-keystore"));
        var pubsub = await ConnectionMultiplexer.ConnectAsync(settings.Options(settings.PubSub, "chatcluster-pubsub"));
        if (!keystore.IsConnected || !pubsub.IsConnected)
            log.LogWarning("redis not reachable at start (keystore {Keystore}: {K}, pubsub {PubSub}: {P}); local chat works, reconnecting in the background",
                settings.Keystore, keystore.IsConnected, settings.PubSub, pubsub.IsConnected);
        return new RedisChatAdapter(new RedisLink(settings, serverId, systemName, keystore, pubsub, log));
    }

    /// <summary>Wires the node's parts in and subscribes to the channel; publishes ActionHero's "joined" notice.</summary>
    public Task StartAsync(ActorSystem system, LocalConnections connections, IActorRef fanout, TimeSpan askTimeout)
    {
        _link.System = system;
        _link.AskTimeout = askTimeout;
        _fanout = fanout;
        system.ActorOf(RemovedNodeWatcher.Props(_members), RemovedNodeWatcher.Name);
        return _bus.StartAsync(connections, fanout);
    }

    // ------------------------------------------------------------------ IChatMirror

    public bool SharesRooms => true;

    bool IChatMirror.Connected => _link.KeyStore.IsConnected;

    public Task<bool?> RoomListedAsync(string room) => _rooms.RoomListedAsync(room);

    public Task RoomCreatedAsync(string room) => _rooms.RoomCreatedAsync(room);

    public Task RoomDestroyedAsync(string room, IReadOnlyCollection<string> ourMembers) => _rooms.RoomDestroyedAsync(room, ourMembers);

    public Task<IReadOnlyList<string>> ListRoomsAsync() => _rooms.ListRoomsAsync();

    /// <summary>The key store came back (it may have restarted empty): the rooms go back into ActionHero's rooms SET.</summary>
    public Task RewriteRoomsAsync() => _rooms.RewriteRoomsAsync();

    public void MemberJoined(string room, string connectionId, long joinedAt) => _members.MemberJoined(room, connectionId, joinedAt);

    public void MemberLeft(string room, string connectionId) => _members.MemberLeft(room, connectionId);

    public Task<IReadOnlyList<RoomMember>> MergeStatusAsync(string room, IReadOnlyList<RoomMember> ours) => _members.MergeStatusAsync(room, ours);

    public Task PruneAsync(string room, IReadOnlyCollection<string> live) => _members.PruneAsync(room, live);

    /// <summary>Publishes one message our room ordered (once per message in the whole ChatCluster cluster).</summary>
    public void PublishChat(ChatPayload payload) => _ = _link.PublishQuietly(BusJson.Chat(_link.Settings.ServerToken, _link.ServerId, payload));

    /// <summary>True for a serverId of a ChatCluster node (ours, derived from a cluster address, or carried as a role).</summary>
    public bool IsOurs(string? serverId) => _link.IsOurs(serverId);

    /// <summary>doCluster (see <see cref="RedisRpcClient.CallAsync"/>).</summary>
    public Task<string?> CallAsync(string method, JsonArray args, string? connectionId, bool wait) => _rpc.CallAsync(method, args, connectionId, wait);

    public Task ChangeRemoteMemberAsync(string connectionId, string room, bool join) =>
        _rpc.CallAsync(join ? RedisChatKeys.AddMember : RedisChatKeys.RemoveMember, new JsonArray(connectionId, room), connectionId, wait: true);

    // applyResponder on the ActionHero node that holds the connection; closing one there is not part of ActionHero's RPC.
    public async Task<bool> ApplyRemoteAsync(string connectionId, object command)
    {
        var rpc = command switch
        {
            ConnectionProtocol.SendMessage m => new JsonArray(connectionId, "sendMessage", JsonNode.Parse(m.MessageJson)),
            ConnectionProtocol.SetProperty p => new JsonArray(connectionId, "set", new JsonArray(p.Key, JsonNode.Parse(p.ValueJson))),
            _ => null,
        };
        if (rpc is null) return false;
        await _rpc.CallAsync(RedisChatKeys.ApplyResponder, rpc, connectionId, wait: true).ConfigureAwait(false);
        return true;
    }

    // ------------------------------------------------------------------ lifecycle

    /// <summary>ActionHero's stop: the "left the cluster" notice, unsubscribe, close both connections (pending writes flushed).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _bus.StopAsync().ConfigureAwait(false);
        await _link.Bounded(_link.PublishQuietly(BusJson.Do(_link.ServerId, _link.Settings.ServerToken, RedisLink.NewId(), RedisChatKeys.Log, null,
            new JsonArray(RedisChatKeys.LeftNotice(_link.ServerId))))).ConfigureAwait(false);
        _rpc.FailAll();
        await _link.Bounded(_link.KeyStore.CloseAsync(allowCommandsToComplete: true)).ConfigureAwait(false);
        await _link.Bounded(_link.PubSub.CloseAsync(allowCommandsToComplete: true)).ConfigureAwait(false);
        _link.KeyStore.Dispose();
        _link.PubSub.Dispose();
    }

    /// <summary>A crash, for tests: the connections are cut, no notice, nothing flushed.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _bus.Abort();
        _rpc.FailAll();
        _link.KeyStore.Dispose();
        _link.PubSub.Dispose();
    }
}
