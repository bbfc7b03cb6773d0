using System.Text.Json.Nodes;
using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Node.Core;
using ChatCluster.Transports;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Redis;

/// <summary>
/// The bus, receiving side: chat from ActionHero nodes to this node's members, the RPC methods ActionHero nodes call
/// on the node that holds a connection (<c>addMember</c>, <c>removeMember</c>, <c>applyResponder</c>, the log
/// notices), and the answers to this node's own calls (handed to <see cref="RedisRpcClient"/>). Bus messages of
/// ChatCluster nodes are ignored: their chat reached our members through Akka.
/// </summary>
internal sealed class RedisBusListener
{
    private readonly RedisLink _link;
    private readonly RedisRpcClient _rpc;
    private readonly ForeignTokenWarning _foreignToken;
    private ChannelMessageQueue? _subscription;
    private LocalConnections? _connections;
    private IActorRef? _fanout;
    private volatile bool _stopped;

    public RedisBusListener(RedisLink link, RedisRpcClient rpc)
    {
        _link = link;
        _rpc = rpc;
        _foreignToken = new ForeignTokenWarning(link.Log, link.Settings.ForeignTokenWarningInterval);
    }

    private ILogger Log => _link.Log;

    /// <summary>Bus messages ignored because of another serverToken (see <see cref="ForeignTokenWarning"/>).</summary>
    public int ForeignTokenMessages
    {
        get
        {
            lock (_foreignToken) return _foreignToken.Seen;
        }
    }

    /// <summary>Subscribes (or keeps trying in the background) and publishes ActionHero's "joined" notice once subscribed.</summary>
    public async Task StartAsync(LocalConnections connections, IActorRef fanout)
    {
        _connections = connections;
        _fanout = fanout;
        if (await TrySubscribeAsync().ConfigureAwait(false)) await AnnounceJoinedAsync().ConfigureAwait(false);
        else _ = KeepSubscribingAsync();
    }

    /// <summary>UNSUBSCRIBE (bounded) and no further attempts.</summary>
    public async Task StopAsync()
    {
        _stopped = true;
        if (_subscription is not null) await _link.Bounded(_subscription.UnsubscribeAsync()).ConfigureAwait(false);
    }

    /// <summary>A crash, for tests: no further attempts, nothing sent.</summary>
    public void Abort() => _stopped = true;

    /// <summary>
    /// SUBSCRIBE to the bus. The multiplexer re-subscribes by itself after a reconnect, but only a subscription that
    /// once succeeded: a SUBSCRIBE refused at start (Redis down or still loading) leaves nothing to restore, so the
    /// node would never hear ActionHero's chat. False after clearing the half-registered subscription (the library
    /// registers the queue before it asks the server; left behind, that queue would fill with messages nobody reads).
    /// </summary>
    private async Task<bool> TrySubscribeAsync()
    {
        var subscriber = _link.PubSub.GetSubscriber();
        try
        {
            var subscription = await subscriber.SubscribeAsync(_link.Channel).ConfigureAwait(false);
            // Sequential: chat from one ActionHero node keeps its order. RPC work is started here and runs on its own.
            subscription.OnMessage(m => OnBusMessage(m.Message.ToString()));
            _subscription = subscription;
            return true;
        }
        catch (Exception e) when (RedisLink.IsFailure(e))
        {
            RedisLog.SubscribeFailed(Log, _link.Settings.Channel, e.Message, (long)_link.Settings.SubscribeRetryInterval.TotalMilliseconds);
            try
            {
                await subscriber.UnsubscribeAsync(_link.Channel, null, CommandFlags.FireAndForget).ConfigureAwait(false);
            }
            catch (Exception cleanup) when (RedisLink.IsFailure(cleanup))
            {
                // The local registration is gone before the server is asked; the UNSUBSCRIBE itself may fail.
            }
            return false;
        }
    }

    // Until the bus is subscribed or the adapter stops; one attempt per interval, each logged (the interval bounds the rate).
    private async Task KeepSubscribingAsync()
    {
        while (!_stopped)
        {
            await Task.Delay(_link.Settings.SubscribeRetryInterval).ConfigureAwait(false);
            if (_stopped) return;
            if (!await TrySubscribeAsync().ConfigureAwait(false)) continue;
            RedisLog.Subscribed(Log, _link.Settings.Channel);
            await AnnounceJoinedAsync().ConfigureAwait(false);
            return;
        }
    }

    private Task AnnounceJoinedAsync() => _link.PublishQuietly(BusJson.Do(_link.ServerId, _link.Settings.ServerToken, RedisLink.NewId(),
        RedisChatKeys.Log, null, new JsonArray(RedisChatKeys.JoinedNotice(_link.ServerId))));

    private Task OnBusMessage(string text)
    {
        BusMessage? m;
        try
        {
            m = BusJson.Parse(text, _link.Settings.ServerToken);
        }
        catch (Exception e)
        {
            Log.LogWarning("unreadable bus message ignored: {Error}", e.Message);
            return Task.CompletedTask;
        }
        if (m is null) // another serverToken (or none): ignored, as ActionHero does, but not silently
        {
            lock (_foreignToken) _foreignToken.Note(text, Environment.TickCount64);
            return Task.CompletedTask;
        }
        switch (m.MessageType)
        {
            case RedisChatKeys.Chat when m.Chat is not null && !_link.IsOurs(m.ServerId):
                // ActionHero's incomingMessage on this node: every local member of the room (the fan-out knows them).
                _fanout?.Tell(new Deliver(0, 0, m.Chat));
                break;
            case RedisChatKeys.Do:
                _ = HandleDoAsync(m);
                break;
            case RedisChatKeys.DoResponse when m.MessageId is not null:
                _rpc.Answer(m.MessageId, m.ResponseJson);
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
                    Log.LogInformation("{Notice}", string.Join(" ", m.Args.Select(JsonText.ToJsString)));
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
                    Log.LogCritical("RPC method `{Method}` not found", m.Method);
                    return;
            }
            await _link.PublishQuietly(BusJson.DoResponse(_link.ServerId, _link.Settings.ServerToken, m.MessageId, response)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // ActionHero sends no response when the method throws: the caller times out.
            Log.LogWarning("RPC {Method} {Args} from {Server} failed: {Error}", m.Method, JsonText.Serialize(m.Args), m.ServerId, e.Message);
        }
    }

    // api.chatRoom.addMember / removeMember(connectionId, room) on the node holding the connection: "true", or throws.
    private async Task<string?> ChangeRoomAsync(BusMessage m)
    {
        var id = JsonText.ToJsString(m.Args.Count > 0 ? m.Args[0] : null);
        var room = JsonText.ToJsString(m.Args.Count > 1 ? m.Args[1] : null);
        if (id is null || room is null || _connections is null || !_connections.TryGet(id, out var connection)) return null;
        var reply = await connection.Actor.Ask<RoomReply>(new LocalConnection.ChangeRoom(room, m.Method == RedisChatKeys.AddMember), _link.AskTimeout)
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
            await connection.Actor.Ask<ConnectionProtocol.ConnectionReply>(command, _link.AskTimeout).ConfigureAwait(false);
        }
        return CleanConnection(connection);
    }

    /// <summary>ActionHero's cleanConnection: the connection's JSON-serializable own properties (properties set last).</summary>
    private static string CleanConnection(LocalConnection connection)
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
}
