using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.DistributedData;
using ChatCluster.Messages;
using ChatCluster.Node.Connections;
using ChatCluster.Node.Core;
using ChatCluster.Node.Middleware;
using ChatCluster.Node.Mirror;
using ChatCluster.Node.Rooms;
using ChatCluster.Transports;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Api;

/// <summary>
/// The server-side chat API (ActionHero's <c>chatRoom</c> module and <c>connection.sendMessage</c>), for
/// actions, middleware, tests and embedding code. Refusals throw <see cref="ChatException"/> with the
/// catalogue text; an unanswered room throws <see cref="ChatException"/> with <see cref="ChatErrors.RoomUnavailable"/>.
/// </summary>
public sealed class ChatApi
{
    private readonly ActorSystem _system;
    private readonly IActorRef _rooms;
    private readonly LocalConnections _connections;
    private readonly TimeSpan _timeout;
    private readonly MiddlewarePipeline _middleware;
    private readonly IChatMirror _mirror;
    private readonly TimeSpan _broadcastRetryTimeout;
    // Broadcasts have no connection to number them: each gets a key of its own (this node's prefix + a counter).
    private readonly string _broadcastKeyPrefix = "server:" + Guid.NewGuid().ToString("N") + ":";
    private long _broadcasts;

    /// <param name="broadcastRetryTimeout">How long a broadcast is retried while its room does not answer (say-retry-timeout).</param>
    public ChatApi(ActorSystem system, IActorRef roomRegion, LocalConnections connections, TimeSpan timeout, MiddlewarePipeline middleware,
        IChatMirror? mirror = null, TimeSpan? broadcastRetryTimeout = null)
    {
        _mirror = mirror ?? NoChatMirror.Instance;
        _broadcastRetryTimeout = broadcastRetryTimeout ?? timeout;
        _system = system;
        _rooms = roomRegion;
        _connections = connections;
        _timeout = timeout;
        _middleware = middleware;
    }

    /// <summary><c>add(room)</c>: throws "room exists".</summary>
    public async Task AddAsync(string room) => Check(await Ask<RoomReply>(new CreateRoom(room)));

    /// <summary>The sample <c>createChatRoom</c> semantics: create when missing; true when it was created.</summary>
    public async Task<bool> CreateIfMissingAsync(string room)
    {
        var reply = await Ask<RoomReply>(new CreateRoom(room));
        return reply.Ok;
    }

    /// <summary><c>destroy(room)</c>: members are told "this room has been deleted" and removed; throws "room does not exist".</summary>
    public async Task DestroyAsync(string room) => Check(await Ask<RoomReply>(new DestroyRoom(room)));

    public async Task<bool> ExistsAsync(string room) => (await Ask<RoomExistsReply>(new CheckRoomExists(room))).Exists;

    /// <summary>
    /// <c>list()</c>: every room of the cluster, from the replicated registry, sorted; with Redis, SMEMBERS of
    /// ActionHero's rooms SET (rooms of ActionHero nodes included), or the registry when Redis cannot answer.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListAsync()
    {
        if (_mirror.Connected)
        {
            var listed = (await _mirror.ListRoomsAsync()).ToList();
            if (listed.Count > 0)
            {
                listed.Sort(StringComparer.Ordinal);
                return listed;
            }
        }
        var replicator = DistributedData.Get(_system).Replicator;
        var reply = await replicator.Ask<IGetResponse>(Dsl.Get(RoomRegistry.Key, ReadLocal.Instance), _timeout);
        if (reply is GetSuccess success)
        {
            var rooms = success.Get(RoomRegistry.Key).Elements.ToList();
            rooms.Sort(StringComparer.Ordinal);
            return rooms;
        }
        return Array.Empty<string>();
    }

    /// <summary>
    /// <c>chatRoom.addMember(connectionId, room)</c>: join middleware, then the room, as the verb. A connection this node
    /// does not hold is reached through the Redis cluster RPC (any ChatCluster or ActionHero node that holds it), waiting
    /// for the answer; throws the refusal, "RPC Timeout", or "connection not found" without Redis.
    /// </summary>
    public Task AddMemberAsync(string connectionId, string room) => ChangeRoomAsync(connectionId, room, join: true);

    /// <summary><c>chatRoom.removeMember(connectionId, room)</c>: as <see cref="AddMemberAsync"/>, with leave middleware.</summary>
    public Task RemoveMemberAsync(string connectionId, string room) => ChangeRoomAsync(connectionId, room, join: false);

    private async Task ChangeRoomAsync(string connectionId, string room, bool join)
    {
        if (_connections.TryGet(connectionId, out var local))
        {
            RoomReply reply;
            try
            {
                reply = await local.Actor.Ask<RoomReply>(new LocalConnection.ChangeRoom(room, join), _timeout);
            }
            catch (AskTimeoutException)
            {
                throw new ChatException(ChatErrors.RoomUnavailable);
            }
            Check(reply);
            return;
        }
        await _mirror.ChangeRemoteMemberAsync(connectionId, room, join);
    }

    /// <summary><c>roomStatus(room)</c>: throws "a room is required" / "room does not exist".</summary>
    public async Task<RoomStatus> StatusAsync(string? room)
    {
        if (string.IsNullOrEmpty(room)) throw new ChatException(ChatErrors.RoomRequired);
        var reply = await Ask<RoomStatusReply>(new GetRoomStatus(room));
        if (reply.Error is not null) throw new ChatException(reply.Error);
        return new RoomStatus(reply.Room, reply.Members);
    }

    /// <summary>
    /// The room's last <paramref name="limit"/> messages (or the first ones after <paramref name="since"/>), oldest first,
    /// with the room's epoch and last offset (docs/history.md). The server reads any room; throws "room does not exist"
    /// or a bad position's error.
    /// </summary>
    public async Task<HistoryReply> HistoryAsync(string room, int limit = int.MaxValue, Position? since = null)
    {
        if (string.IsNullOrEmpty(room)) throw new ChatException(ChatErrors.RoomRequired);
        if (limit < 1) throw new ChatException(ChatErrors.HistoryLimitInvalid);
        var reply = await Ask<HistoryReply>(new ReadHistory(room, ReadHistory.Server, limit, since));
        if (reply.Error is not null) throw new ChatException(reply.Error);
        return reply;
    }

    /// <summary>
    /// <c>broadcast({}, room, message)</c>: a server message to every member, <c>from:"0"</c>, through onSayReceive
    /// middleware (with <see cref="ConnectionView.Server"/>). <paramref name="message"/> is any JSON value; throws
    /// "both room and message are required" / "room does not exist" / a middleware refusal.
    /// </summary>
    public async Task BroadcastAsync(string room, JsonNode? message)
    {
        if (string.IsNullOrEmpty(room) || !JsonText.IsTruthy(message)) throw new ChatException(ChatErrors.RoomAndMessageRequired);
        var payload = new ChatPayload(room, ChatPayload.ServerSender, JsonText.Serialize(message), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        if (_middleware.HasOnSayReceive)
        {
            var verdict = await _middleware.OnSayReceiveAsync(ConnectionView.Server, room, ChatPayloadJson.ToJson(payload));
            if (verdict.Kind == SayVerdictKind.Refuse) throw new ChatException(verdict.Refusal!);
            if (verdict.Kind == SayVerdictKind.Silence) return;
            payload = ChatPayloadJson.FromJson(verdict.Payload!, payload);
        }
        // Answered once the room ordered it. A room that does not answer (its node crashed, it is moving) is asked again
        // with the same ticket until say-retry-timeout: a node that already delivered it drops the copy.
        var say = new Say(payload, WantAck: true, new SayTicket(_broadcastKeyPrefix + Interlocked.Increment(ref _broadcasts), 1));
        var deadline = DateTime.UtcNow + _broadcastRetryTimeout;
        while (true)
        {
            try
            {
                Check(await _rooms.Ask<RoomReply>(say, _timeout));
                return;
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (AskTimeoutException)
            {
                throw new ChatException(ChatErrors.RoomUnavailable);
            }
        }
    }

    /// <summary>
    /// <c>connection.sendMessage(message)</c> for a connection on any node; false when no node holds it (or it is
    /// closing). The transport's rules add context/messageId.
    /// </summary>
    public Task<bool> SendMessageAsync(string connectionId, JsonObject message) =>
        ApplyAsync(connectionId, new ConnectionProtocol.SendMessage(connectionId, JsonText.Serialize(message)));

    /// <summary>ActionHero's <c>connections.apply(id, "set", [key, value])</c>, for a connection on any node.</summary>
    public Task<bool> SetPropertyAsync(string connectionId, string key, JsonNode? value) =>
        ApplyAsync(connectionId, new ConnectionProtocol.SetProperty(connectionId, key, JsonText.Serialize(value)));

    /// <summary>Close a connection on any node; the client gets its goodbye.</summary>
    public Task<bool> CloseConnectionAsync(string connectionId) =>
        ApplyAsync(connectionId, new ConnectionProtocol.CloseConnection(connectionId));

    // Local connections are asked directly; otherwise every other Up node's directory is asked at once; a connection no
    // ChatCluster node holds is asked for through the Redis cluster RPC (applyResponder), when Redis is on.
    private async Task<bool> ApplyAsync(string connectionId, object command)
    {
        if (await ApplyInClusterAsync(connectionId, command)) return true;
        return await _mirror.ApplyRemoteAsync(connectionId, command);
    }

    private async Task<bool> ApplyInClusterAsync(string connectionId, object command)
    {
        if (_connections.TryGet(connectionId, out var local))
            return await AskConnection(local.Actor, command);
        var cluster = Akka.Cluster.Cluster.Get(_system);
        var asks = new List<Task<bool>>();
        foreach (var member in cluster.State.Members)
        {
            if (member.Status != Akka.Cluster.MemberStatus.Up || member.Address.Equals(cluster.SelfAddress)) continue;
            var directory = _system.ActorSelection(new RootActorPath(member.Address) / "user" / ConnectionDirectoryActor.Name);
            asks.Add(AskConnection(directory, command));
        }
        foreach (var found in await Task.WhenAll(asks))
            if (found) return true;
        return false;
    }

    private async Task<bool> AskConnection(ICanTell target, object command)
    {
        try
        {
            var reply = target switch
            {
                IActorRef actor => await actor.Ask<ConnectionProtocol.ConnectionReply>(command, _timeout),
                ActorSelection selection => await selection.Ask<ConnectionProtocol.ConnectionReply>(command, _timeout),
                _ => null,
            };
            return reply?.Done ?? false;
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Ids of the connections this node holds.</summary>
    public IReadOnlyList<string> LocalConnectionIds() => _connections.All.Select(c => c.Id).ToArray();

    private async Task<T> Ask<T>(object command)
    {
        try
        {
            return await _rooms.Ask<T>(command, _timeout);
        }
        catch (AskTimeoutException)
        {
            throw new ChatException(ChatErrors.RoomUnavailable);
        }
    }

    private static void Check(RoomReply reply)
    {
        if (reply.Error is not null) throw new ChatException(reply.Error);
    }
}
