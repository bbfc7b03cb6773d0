using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Node.Api;
using ChatCluster.Node.Connections;
using ChatCluster.Transports;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Redis;

/// <summary>
/// This node's end of ActionHero's Redis cluster (spec 1, 2): it mirrors rooms and members into ActionHero's keys,
/// publishes the chat our rooms order, delivers chat published by ActionHero nodes to this node's members, and
/// speaks the cluster RPC (<c>do</c> / <c>doResponse</c>) both ways.
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
/// Two connections, as ActionHero: key store (commands) and pub/sub (SUBSCRIBE; PUBLISH goes to the same server).
/// </summary>
public sealed class RedisChatAdapter : IAsyncDisposable
{
    private readonly RedisChatSettings _settings;
    private readonly ILogger _log;
    private readonly ConnectionMultiplexer _keystore;
    private readonly ConnectionMultiplexer _pubsub;
    private readonly string _ourPrefix;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string?>> _pending = new(StringComparer.Ordinal);
    private ChannelMessageQueue? _subscription;
    private ActorSystem? _system;
    private LocalConnections? _connections;
    private IActorRef? _fanout;
    private TimeSpan _askTimeout = TimeSpan.FromSeconds(5);
    private int _disposed;
    private readonly ForeignTokenWarning _foreignToken;
    // 1 while the rooms are being re-written after the key store came back: "not listed" means nothing then.
    private int _rewriting;

    private RedisChatAdapter(RedisChatSettings settings, string serverId, string systemName, ConnectionMultiplexer keystore,
        ConnectionMultiplexer pubsub, ILogger log)
    {
        _settings = settings;
        ServerId = serverId;
        _ourPrefix = systemName + "@";
        _keystore = keystore;
        _pubsub = pubsub;
        _log = log;
        _foreignToken = new ForeignTokenWarning(log, settings.ForeignTokenWarningInterval);
        foreach (var (role, mux) in new[] { ("keystore", keystore), ("pubsub", pubsub) })
        {
            mux.ConnectionFailed += (_, e) => Operations.RedisLog.ConnectionLost(_log, role, e.EndPoint, e.ConnectionType, e.FailureType);
            mux.ConnectionRestored += (_, e) =>
            {
                Operations.RedisLog.ConnectionRegained(_log, role, e.EndPoint, e.ConnectionType);
                if (role == "keystore" && e.ConnectionType == ConnectionType.Interactive)
                {
                    Volatile.Write(ref _rewriting, 1); // before anything can ask SISMEMBER of a store that may be empty
                    _fanout?.Tell(new Akka.Routing.Broadcast(ResyncKeyStore.Instance)); // every fan-out partition
                    _ = RewriteRoomsAsync();
                }
            };
        }
    }

    /// <summary>This node's serverId on the bus (and the <c>host</c> of its members).</summary>
    public string ServerId { get; }

    public RedisChatSettings Settings => _settings;

    public bool KeyStoreConnected => _keystore.IsConnected;

    public bool PubSubConnected => _pubsub.IsConnected;

    /// <summary>Fan-out actors resend this node's members to the key store (it was unreachable, or lost its data).</summary>
    public sealed record ResyncKeyStore : INoSerializationVerificationNeeded
    {
        public static readonly ResyncKeyStore Instance = new();
        private ResyncKeyStore() { }
    }

    /// <summary>Opens both connections. A Redis that is down does not fail the start: the adapter reconnects.</summary>
    public static async Task<RedisChatAdapter> ConnectAsync(RedisChatSettings settings, string serverId, string systemName, ILogger log)
    {
        var keystore = await ConnectionMultiplexer.ConnectAsync(settings.Options(settings.Keystore, "chatcluster-keystore"));
        var pubsub = await ConnectionMultiplexer.ConnectAsync(settings.Options(settings.PubSub, "chatcluster-pubsub"));
        if (!keystore.IsConnected || !pubsub.IsConnected)
            log.LogWarning("redis not reachable at start (keystore {Keystore}: {K}, pubsub {PubSub}: {P}); local chat works, reconnecting in the background",
                settings.Keystore, keystore.IsConnected, settings.PubSub, pubsub.IsConnected);
        return new RedisChatAdapter(settings, serverId, systemName, keystore, pubsub, log);
    }

    /// <summary>Wires the node's parts in and subscribes to the channel; publishes ActionHero's "joined" notice.</summary>
    public async Task StartAsync(ActorSystem system, LocalConnections connections, IActorRef fanout, TimeSpan askTimeout)
    {
        _system = system;
        _connections = connections;
        _fanout = fanout;
        _askTimeout = askTimeout;
        system.ActorOf(Props.Create(() => new RemovedNodeWatcher(this)), "redis-removed-nodes");
        if (await TrySubscribeAsync().ConfigureAwait(false)) await AnnounceJoinedAsync().ConfigureAwait(false);
        else _ = KeepSubscribingAsync();
    }

    /// <summary>
    /// SUBSCRIBE to the bus. The multiplexer re-subscribes by itself after a reconnect, but only a subscription that
    /// once succeeded: a SUBSCRIBE refused at start (Redis down or still loading) leaves nothing to restore, so the
    /// node would never hear ActionHero's chat. False after clearing the half-registered subscription (the library
    /// registers the queue before it asks the server; left behind, that queue would fill with messages nobody reads).
    /// </summary>
    private async Task<bool> TrySubscribeAsync()
    {
        var channel = RedisChatKeys.Channel(_settings.Channel);
        var subscriber = _pubsub.GetSubscriber();
        try
        {
            var subscription = await subscriber.SubscribeAsync(channel).ConfigureAwait(false);
            // Sequential: chat from one ActionHero node keeps its order. RPC work is started here and runs on its own.
            subscription.OnMessage(m => OnBusMessage(m.Message.ToString()));
            _subscription = subscription;
            return true;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            Operations.RedisLog.SubscribeFailed(_log, _settings.Channel, e.Message, (long)_settings.SubscribeRetryInterval.TotalMilliseconds);
            try
            {
                await subscriber.UnsubscribeAsync(channel, null, CommandFlags.FireAndForget).ConfigureAwait(false);
            }
            catch (Exception cleanup) when (IsRedisFailure(cleanup))
            {
                // The local registration is gone before the server is asked; the UNSUBSCRIBE itself may fail.
            }
            return false;
        }
    }

    // Until the bus is subscribed or the adapter stops; one attempt per interval, each logged (the interval bounds the rate).
    private async Task KeepSubscribingAsync()
    {
        while (Volatile.Read(ref _disposed) == 0)
        {
            await Task.Delay(_settings.SubscribeRetryInterval).ConfigureAwait(false);
            if (Volatile.Read(ref _disposed) != 0) return;
            if (!await TrySubscribeAsync().ConfigureAwait(false)) continue;
            Operations.RedisLog.Subscribed(_log, _settings.Channel);
            await AnnounceJoinedAsync().ConfigureAwait(false);
            return;
        }
    }

    private Task AnnounceJoinedAsync() => PublishQuietly(BusJson.Do(ServerId, _settings.ServerToken, NewId(), RedisChatKeys.Log, null,
        new JsonArray(RedisChatKeys.JoinedNotice(ServerId))));

    // ------------------------------------------------------------------ key store: rooms

    /// <summary>SISMEMBER rooms room; null when the key store cannot answer (the caller trusts its own state).</summary>
    public async Task<bool?> RoomListedAsync(string room)
    {
        if (!_keystore.IsConnected || Volatile.Read(ref _rewriting) == 1) return null;
        try
        {
            if (await Db.SetContainsAsync(RedisChatKeys.RoomsKey, room).ConfigureAwait(false)) return true;
            // No rooms at all: the store lost its data (restarted empty, flushed), not "destroyed by ActionHero" (its
            // destroy removes one room). Unknown, so the room trusts itself, and the rooms are written back.
            if (await Db.SetLengthAsync(RedisChatKeys.RoomsKey).ConfigureAwait(false) == 0)
            {
                Volatile.Write(ref _rewriting, 1);
                _ = RewriteRoomsAsync();
                return null;
            }
            return false;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            _log.LogDebug("SISMEMBER {Room} failed: {Error}", room, e.Message);
            return null;
        }
    }

    /// <summary>Bus messages ignored because of another serverToken (see <see cref="ForeignTokenWarning"/>).</summary>
    public int ForeignTokenMessages
    {
        get
        {
            lock (_foreignToken) return _foreignToken.Seen;
        }
    }

    /// <summary>
    /// The key store came back (it may have restarted empty): every room the cluster knows (the replicated registry, as
    /// this node reads it) goes back into ActionHero's rooms SET, also rooms without members, which no fan-out resends.
    /// Every node does it; SADD is idempotent. Never throws.
    /// </summary>
    public async Task RewriteRoomsAsync()
    {
        if (_system is null)
        {
            Volatile.Write(ref _rewriting, 0);
            return;
        }
        try
        {
            var replicator = Akka.DistributedData.DistributedData.Get(_system).Replicator;
            var reply = await replicator.Ask<Akka.DistributedData.IGetResponse>(
                Akka.DistributedData.Dsl.Get(Rooms.RoomRegistry.Key, Akka.DistributedData.ReadLocal.Instance), _askTimeout).ConfigureAwait(false);
            if (reply is not Akka.DistributedData.GetSuccess success) return;
            var rooms = success.Get(Rooms.RoomRegistry.Key).Elements.Select(r => (RedisValue)r).ToArray();
            if (rooms.Length == 0) return;
            var added = await Db.SetAddAsync(RedisChatKeys.RoomsKey, rooms).ConfigureAwait(false);
            if (added > 0) _log.LogInformation("redis key store back: {Added} of {Count} rooms re-written to {Key}", added, rooms.Length, RedisChatKeys.Rooms);
        }
        catch (Exception e) when (IsRedisFailure(e) || e is AskTimeoutException)
        {
            _log.LogWarning("redis key store back, but the rooms could not be re-written: {Error}", e.Message);
        }
        finally
        {
            Volatile.Write(ref _rewriting, 0);
        }
    }

    /// <summary>ActionHero's add(room) order: SISMEMBER, then SADD when missing. Never throws.</summary>
    public async Task RoomCreatedAsync(string room)
    {
        try
        {
            if (!await Db.SetContainsAsync(RedisChatKeys.RoomsKey, room).ConfigureAwait(false))
                await Db.SetAddAsync(RedisChatKeys.RoomsKey, room).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            _log.LogWarning("room {Room} created, but not recorded in {Key}: {Error}", room, RedisChatKeys.Rooms, e.Message);
        }
    }

    /// <summary>
    /// ActionHero's destroy after the broadcast: HGETALL members, remove each member held by an ActionHero node
    /// through RPC (waiting at most command-timeout for the answers), then SREM rooms and DEL members.
    /// <paramref name="ourMembers"/> were already removed by the room. Never throws.
    /// </summary>
    public async Task RoomDestroyedAsync(string room, IReadOnlyCollection<string> ourMembers)
    {
        try
        {
            var entries = await Db.HashGetAllAsync(RedisChatKeys.Members(room)).ConfigureAwait(false);
            var removals = new List<Task>();
            foreach (var entry in entries)
            {
                var id = entry.Name.ToString();
                var (_, _, host) = BusJson.ParseMember(entry.Value.ToString());
                if (ourMembers.Contains(id) || IsOurs(host)) continue;
                removals.Add(RemoveRemoteMemberAsync(id, room));
            }
            // Unlike ActionHero's destroy, wait (bounded) for the answers before SREM: an ActionHero node whose
            // removeMember finds the room already gone throws "room does not exist" unhandled, which stops its process
            // [observed on 29.3.5]. A member of a crashed ActionHero node never answers, hence the bound.
            if (removals.Count > 0)
            {
                try
                {
                    await Task.WhenAll(removals).WaitAsync(_settings.CommandTimeout).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    _log.LogInformation("room {Room}: not every ActionHero member's removal was confirmed within {Timeout}", room, _settings.CommandTimeout);
                }
            }
            await Db.SetRemoveAsync(RedisChatKeys.RoomsKey, room).ConfigureAwait(false);
            await Db.KeyDeleteAsync(RedisChatKeys.Members(room)).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            _log.LogWarning("room {Room} destroyed, but its keys could not be removed from redis: {Error}", room, e.Message);
        }
    }

    private async Task RemoveRemoteMemberAsync(string connectionId, string room)
    {
        try
        {
            await CallAsync(RedisChatKeys.RemoveMember, new JsonArray(connectionId, room), connectionId, wait: true).ConfigureAwait(false);
        }
        catch (ChatException e)
        {
            _log.LogDebug("removeMember {Id} from {Room}: {Error}", connectionId, room, e.Message);
        }
    }

    /// <summary>SMEMBERS rooms; empty when the key store cannot answer.</summary>
    public async Task<IReadOnlyList<string>> ListRoomsAsync()
    {
        if (!_keystore.IsConnected) return Array.Empty<string>();
        try
        {
            return (await Db.SetMembersAsync(RedisChatKeys.RoomsKey).ConfigureAwait(false)).Select(v => v.ToString()).ToArray();
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            _log.LogDebug("SMEMBERS failed: {Error}", e.Message);
            return Array.Empty<string>();
        }
    }

    // ------------------------------------------------------------------ key store: members

    /// <summary>HSET members:room id {"id","joinedAt","host"} (generateMemberDetails), after the room accepted the member.</summary>
    public void MemberJoined(string room, string connectionId, long joinedAt) =>
        Quietly(Db.HashSetAsync(RedisChatKeys.Members(room), connectionId, BusJson.MemberValue(connectionId, joinedAt, ServerId)),
            "HSET", room, connectionId);

    /// <summary>HDEL members:room id (idempotent: the holding node and the room may both send it).</summary>
    public void MemberLeft(string room, string connectionId) =>
        Quietly(Db.HashDeleteAsync(RedisChatKeys.Members(room), connectionId), "HDEL", room, connectionId);

    /// <summary>
    /// roomStatus across both kinds of node: <paramref name="ours"/> (the room's own, exact view) plus every hash
    /// entry held by a node that is not ours. <c>{}</c> values count with id = the field and joinedAt 0.
    /// </summary>
    public async Task<IReadOnlyList<RoomMember>> MergeStatusAsync(string room, IReadOnlyList<RoomMember> ours)
    {
        if (!_keystore.IsConnected) return ours;
        HashEntry[] entries;
        try
        {
            entries = await Db.HashGetAllAsync(RedisChatKeys.Members(room)).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            _log.LogDebug("HGETALL {Room} failed: {Error}", room, e.Message);
            return ours;
        }
        var merged = new List<RoomMember>(ours);
        var seen = new HashSet<string>(ours.Select(m => m.ConnectionId), StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var id = entry.Name.ToString();
            var (_, joinedAt, host) = BusJson.ParseMember(entry.Value.ToString());
            if (IsOurs(host) || !seen.Add(id)) continue;
            merged.Add(new RoomMember(id, joinedAt ?? 0));
        }
        return merged;
    }

    /// <summary>Removes entries of ChatCluster nodes that are not <paramref name="live"/> (their node crashed). Never throws.</summary>
    public async Task PruneAsync(string room, IReadOnlyCollection<string> live)
    {
        if (!_keystore.IsConnected) return;
        try
        {
            var entries = await Db.HashGetAllAsync(RedisChatKeys.Members(room)).ConfigureAwait(false);
            var stale = entries.Where(e => IsOurs(BusJson.ParseMember(e.Value.ToString()).Host) && !live.Contains(e.Name.ToString()))
                .Select(e => e.Name).ToArray();
            if (stale.Length == 0) return;
            await Db.HashDeleteAsync(RedisChatKeys.Members(room), stale).ConfigureAwait(false);
            _log.LogInformation("room {Room}: removed {Count} member(s) of crashed ChatCluster nodes from {Key}", room, stale.Length,
                RedisChatKeys.MembersPrefix + room);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            _log.LogDebug("pruning {Room} failed: {Error}", room, e.Message);
        }
    }

    /// <summary>
    /// A ChatCluster node was removed from the cluster (crashed and downed, or left): its entries leave every member hash.
    /// The rooms usually do it themselves (Terminated), but a leave that raced the crash, or a room that lived on that
    /// node, would leave entries behind. One survivor sweeps (the lowest address among the Up members). Never throws.
    /// </summary>
    private async Task SweepRemovedNodeAsync(Akka.Cluster.Member removed)
    {
        var cluster = Akka.Cluster.Cluster.Get(_system!);
        var sweeper = cluster.State.Members.Where(m => m.Status == Akka.Cluster.MemberStatus.Up && !m.Address.Equals(removed.Address))
            .Select(m => m.Address).OrderBy(a => a.ToString(), StringComparer.Ordinal).FirstOrDefault();
        if (sweeper is null || !sweeper.Equals(cluster.SelfAddress)) return;
        var role = removed.Roles.FirstOrDefault(r => r.StartsWith(RedisChatSettings.ServerIdRolePrefix, StringComparison.Ordinal));
        var serverId = role is not null ? role[RedisChatSettings.ServerIdRolePrefix.Length..] : RedisChatSettings.DeriveServerId(removed.Address);
        try
        {
            var removedCount = 0;
            foreach (var room in await Db.SetMembersAsync(RedisChatKeys.RoomsKey).ConfigureAwait(false))
            {
                var key = RedisChatKeys.Members(room.ToString());
                var stale = (await Db.HashGetAllAsync(key).ConfigureAwait(false))
                    .Where(e => BusJson.ParseMember(e.Value.ToString()).Host == serverId).Select(e => e.Name).ToArray();
                if (stale.Length == 0) continue;
                removedCount += (int)await Db.HashDeleteAsync(key, stale).ConfigureAwait(false);
            }
            if (removedCount > 0) _log.LogInformation("removed {Count} member entries of the departed ChatCluster node {ServerId}", removedCount, serverId);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            _log.LogWarning("could not sweep the member entries of the departed node {ServerId}: {Error}", serverId, e.Message);
        }
    }

    private sealed class RemovedNodeWatcher : ReceiveActor
    {
        public RemovedNodeWatcher(RedisChatAdapter adapter)
        {
            Receive<Akka.Cluster.ClusterEvent.MemberRemoved>(m => _ = adapter.SweepRemovedNodeAsync(m.Member));
            Receive<Akka.Cluster.ClusterEvent.IMemberEvent>(_ => { });
            Receive<Akka.Cluster.ClusterEvent.CurrentClusterState>(_ => { });
        }

        protected override void PreStart() => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self,
            Akka.Cluster.ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(Akka.Cluster.ClusterEvent.MemberRemoved));

        protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }

    // ------------------------------------------------------------------ pub/sub: chat

    /// <summary>Publishes one message our room ordered (once per message in the whole ChatCluster cluster).</summary>
    public void PublishChat(ChatPayload payload) =>
        _ = PublishQuietly(BusJson.Chat(_settings.ServerToken, ServerId, payload));

    /// <summary>True for a serverId of a ChatCluster node (ours, derived from a cluster address, or carried as a role).</summary>
    public bool IsOurs(string? serverId)
    {
        if (serverId is null) return false;
        if (serverId == ServerId || serverId.StartsWith(_ourPrefix, StringComparison.Ordinal)) return true;
        var cluster = _system is null ? null : Akka.Cluster.Cluster.Get(_system);
        if (cluster is null) return false;
        var role = RedisChatSettings.ServerIdRolePrefix + serverId;
        foreach (var member in cluster.State.Members)
            if (member.HasRole(role)) return true;
        return false;
    }

    // ------------------------------------------------------------------ pub/sub: RPC out

    /// <summary>
    /// doCluster: publishes a <c>do</c>; with <paramref name="wait"/> the first <c>doResponse</c> resolves it (its
    /// <c>response</c> as JSON, null when absent), or it fails with "RPC Timeout" after rpc-timeout. Fails at once with
    /// <see cref="ChatErrors.RpcUnavailable"/> when the pub/sub server is unreachable.
    /// </summary>
    public async Task<string?> CallAsync(string method, JsonArray args, string? connectionId, bool wait)
    {
        if (!_pubsub.IsConnected) throw new ChatException(ChatErrors.RpcUnavailable);
        var id = NewId();
        var text = BusJson.Do(ServerId, _settings.ServerToken, id, method, connectionId, args);
        if (!wait)
        {
            await Publish(text).ConfigureAwait(false);
            return null;
        }
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer; // registered before publishing: the response can be faster than PublishAsync's return
        try
        {
            await Publish(text).ConfigureAwait(false);
            return await answer.Task.WaitAsync(_settings.RpcTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ChatException(ChatErrors.RpcTimeout);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task Publish(string text)
    {
        try
        {
            await _pubsub.GetSubscriber().PublishAsync(RedisChatKeys.Channel(_settings.Channel), text).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw new ChatException(ChatErrors.RpcUnavailable);
        }
    }

    // ------------------------------------------------------------------ pub/sub: in

    private Task OnBusMessage(string text)
    {
        BusMessage? m;
        try
        {
            m = BusJson.Parse(text, _settings.ServerToken);
        }
        catch (Exception e)
        {
            _log.LogWarning("unreadable bus message ignored: {Error}", e.Message);
            return Task.CompletedTask;
        }
        if (m is null) // another serverToken (or none): ignored, as ActionHero does, but not silently
        {
            lock (_foreignToken) _foreignToken.Note(text, Environment.TickCount64);
            return Task.CompletedTask;
        }
        switch (m.MessageType)
        {
            case RedisChatKeys.Chat when m.Chat is not null && !IsOurs(m.ServerId):
                // ActionHero's incomingMessage on this node: every local member of the room (the fan-out knows them).
                _fanout?.Tell(new Deliver(0, 0, m.Chat));
                break;
            case RedisChatKeys.Do:
                _ = HandleDoAsync(m);
                break;
            case RedisChatKeys.DoResponse when m.MessageId is not null:
                if (_pending.TryRemove(m.MessageId, out var answer)) answer.TrySetResult(m.ResponseJson);
                break;
        }
        return Task.CompletedTask;
    }

    private async Task HandleDoAsync(BusMessage m)
    {
        // Act only when no connection is named or we hold it; otherwise stay silent (another node answers).
        LocalConnection? local = null;
        if (m.ConnectionId is not null && (_connections is null || !_connections.TryGet(m.ConnectionId, out local!))) return;
        if (m.MessageId is null) return;
        try
        {
            string? response;
            switch (m.Method)
            {
                case RedisChatKeys.Log:
                    _log.LogInformation("{Notice}", string.Join(" ", m.Args.Select(JsonText.ToJsString)));
                    response = null;
                    break;
                case RedisChatKeys.RemoveMember:
                case RedisChatKeys.AddMember:
                    response = await ChangeRoomAsync(m).ConfigureAwait(false);
                    break;
                case RedisChatKeys.ApplyResponder:
                    response = await ApplyResponderAsync(m).ConfigureAwait(false);
                    break;
                default:
                    _log.LogCritical("RPC method `{Method}` not found", m.Method);
                    return;
            }
            await PublishQuietly(BusJson.DoResponse(ServerId, _settings.ServerToken, m.MessageId, response)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // ActionHero sends no response when the method throws: the caller times out.
            _log.LogWarning("RPC {Method} {Args} from {Server} failed: {Error}", m.Method, JsonText.Serialize(m.Args), m.ServerId, e.Message);
        }
    }

    // api.chatRoom.addMember / removeMember(connectionId, room) on the node holding the connection: "true", or throws.
    private async Task<string?> ChangeRoomAsync(BusMessage m)
    {
        var id = JsonText.ToJsString(m.Args.Count > 0 ? m.Args[0] : null);
        var room = JsonText.ToJsString(m.Args.Count > 1 ? m.Args[1] : null);
        if (id is null || room is null || _connections is null || !_connections.TryGet(id, out var connection)) return null;
        var reply = await connection.Actor.Ask<RoomReply>(new ConnectionInbox.ChangeRoom(room, m.Method == RedisChatKeys.AddMember), _askTimeout)
            .ConfigureAwait(false);
        if (reply.Error is not null) throw new ChatException(reply.Error);
        return "true";
    }

    // api.connections.applyResponder(connectionId, method, args): sendMessage (args as one value) and set(key, value).
    private async Task<string?> ApplyResponderAsync(BusMessage m)
    {
        var id = JsonText.ToJsString(m.Args.Count > 0 ? m.Args[0] : null);
        if (id is null || _connections is null || !_connections.TryGet(id, out var connection)) return null; // undefined
        var method = JsonText.ToJsString(m.Args.Count > 1 ? m.Args[1] : null);
        var args = m.Args.Count > 2 ? m.Args[2] : null;
        if (!string.IsNullOrEmpty(method) && JsonText.IsTruthy(args))
        {
            object? command = method switch
            {
                "sendMessage" => new ConnectionProtocol.SendMessage(id, JsonText.Serialize(args)),
                "set" when args is JsonArray a && a.Count > 0 => new ConnectionProtocol.SetProperty(id, JsonText.ToJsString(a[0]) ?? "",
                    JsonText.Serialize(a.Count > 1 ? a[1] : null)),
                "destroy" => new ConnectionProtocol.CloseConnection(id),
                _ => null,
            };
            if (command is null) throw new InvalidOperationException($"connection method `{method}` is not supported");
            await connection.Actor.Ask<ConnectionProtocol.ConnectionReply>(command, _askTimeout).ConfigureAwait(false);
        }
        return CleanConnection(connection);
    }

    /// <summary>ActionHero's cleanConnection: the connection's JSON-serializable own properties (properties set last).</summary>
    public static string CleanConnection(LocalConnection connection)
    {
        var v = connection.View;
        var json = new JsonObject
        {
            ["type"] = v.Type,
            ["id"] = v.Id,
            ["fingerprint"] = v.Fingerprint,
            ["remotePort"] = v.RemotePort,
            ["remoteIP"] = v.RemoteIp,
            ["connectedAt"] = v.ConnectedAt,
            ["error"] = null,
            ["rooms"] = new JsonArray(v.Rooms.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray()),
            ["params"] = new JsonObject(),
            ["session"] = new JsonObject(),
            ["canChat"] = true,
            ["destroyed"] = false,
        };
        foreach (var (key, value) in v.Properties) json[key] = value?.DeepClone();
        return JsonText.Serialize(json);
    }

    // ------------------------------------------------------------------ plumbing

    private IDatabase Db => _keystore.GetDatabase();

    private async Task PublishQuietly(string text)
    {
        try
        {
            await _pubsub.GetSubscriber().PublishAsync(RedisChatKeys.Channel(_settings.Channel), text).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            _log.LogDebug("PUBLISH on {Channel} failed: {Error}", _settings.Channel, e.Message);
        }
    }

    private void Quietly(Task task, string command, string room, string id) =>
        task.ContinueWith(t => _log.LogDebug("{Command} {Room} {Id} failed: {Error}", command, room, id, t.Exception?.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException;

    private static string NewId() => Guid.NewGuid().ToString();

    /// <summary>ActionHero's stop: the "left the cluster" notice, unsubscribe, close both connections (pending writes flushed).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_subscription is not null) await Bounded(_subscription.UnsubscribeAsync()).ConfigureAwait(false);
        await Bounded(PublishQuietly(BusJson.Do(ServerId, _settings.ServerToken, NewId(), RedisChatKeys.Log, null,
            new JsonArray(RedisChatKeys.LeftNotice(ServerId))))).ConfigureAwait(false);
        foreach (var pending in _pending.Values) pending.TrySetException(new ChatException(ChatErrors.RpcUnavailable));
        await Bounded(_keystore.CloseAsync(allowCommandsToComplete: true)).ConfigureAwait(false);
        await Bounded(_pubsub.CloseAsync(allowCommandsToComplete: true)).ConfigureAwait(false);
        _keystore.Dispose();
        _pubsub.Dispose();
    }

    private async Task Bounded(Task task)
    {
        try
        {
            await task.WaitAsync(_settings.CommandTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
        }
    }

    /// <summary>A crash, for tests: the connections are cut, no notice, nothing flushed.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var pending in _pending.Values) pending.TrySetException(new ChatException(ChatErrors.RpcUnavailable));
        _keystore.Dispose();
        _pubsub.Dispose();
    }
}
