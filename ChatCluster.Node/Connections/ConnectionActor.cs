using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using ChatCluster.Messages;
using ChatCluster.Node.Hosting;
using ChatCluster.Node.Middleware;
using ChatCluster.Transports;
using static ChatCluster.Messages.RoomProtocol;
using static ChatCluster.Node.Connections.ConnectionInbox;

namespace ChatCluster.Node.Connections;

/// <summary>
/// One client connection (ActionHero's Connection): its rooms, params, properties and ids, and the verbs.
/// Verbs are handled one at a time in arrival order: a verb that must wait (for its room, or for join /
/// leave / onSayReceive middleware) stashes later requests until its answer comes, so a pipelined
/// <c>roomAdd r</c> + <c>say r …</c> always works (ActionHero runs them concurrently and may refuse the say).
/// Actions run concurrently, at most <c>chatcluster.actions.max-pending</c> at a time.
///
/// <code>
///   creating (create middleware) --done--> active
///   active --verb that waits--> waiting (stash) --answer or timeout--> active
///   any    --quit/exit/break/socket closed--> stopped (destroy middleware, leaves every room, goodbye if open)
/// </code>
/// </summary>
public sealed class ConnectionActor : UntypedActor, IWithUnboundedStash
{
    private readonly string _id;
    private readonly ClientInfo _info;
    private readonly IClientTransport _transport;
    private readonly IResponseFormat _format;
    private readonly NodeServices _node;
    private readonly HashSet<string> _verbs;
    private readonly long _connectedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private readonly List<string> _rooms = new();
    private ILoggingAdapter? _log; // only when something fails: an adapter per connection is memory for nothing
    private Phase _phase = Phase.Creating;
    private readonly LocalConnection _local;
    private ImmutableDictionary<string, JsonNode?> _properties = ImmutableDictionary<string, JsonNode?>.Empty;
    private JsonObject _params = new();
    private string _lastMessageIdJson = "\"0\"";
    private int _totalActions;
    private int _pendingActions;
    private bool _stopping;
    private long _lastSayId;
    private InFlightSay? _say; // the say the room has not confirmed yet (one at a time)

    /// <summary>A say on its way to its room: what to send again, and how to answer the client if it never arrives.</summary>
    private sealed record InFlightSay(RoomProtocol.Say Command, string MessageIdJson, string? DataJson, long FirstSentAt)
    {
        public int Attempts { get; set; } = 1;
    }

    public ConnectionActor(string id, ClientInfo info, IClientTransport transport, NodeServices node)
    {
        _id = id;
        _info = info;
        _transport = transport;
        _format = transport.Format;
        _node = node;
        _verbs = Verbs.For(info.Type);
        _local = new LocalConnection(id, transport, Self, View());
    }

    // A plain switch rather than ReceiveActor handlers: building handler tables per actor (and again at every Become)
    // was a measurable part of each new connection's cost and memory.
    private enum Phase : byte { Creating, Active, Waiting }

    public IStash Stash { get; set; } = null!;

    private static readonly Deploy Deployment = Deploy.None.WithMailbox(ConnectionMailbox.ConfigPath);

    public static Props Props(string id, ClientInfo info, IClientTransport transport, NodeServices node) =>
        ActorFactory<ConnectionActor>.Props(() => new ConnectionActor(id, info, transport, node), Deployment);

    private bool IsSocket => _info.Type == "socket";

    private MiddlewareChains Chains => _node.Middleware.Registry.Chains;

    protected override void PreStart()
    {
        _node.Connections.Add(_local);
        var create = Chains.Create;
        if (create.IsEmpty)
        {
            Self.Tell(Created.Instance);
            return;
        }
        RunConnectionHooks(create, "create").PipeTo(Self, success: () => Created.Instance, failure: _ => Created.Instance);
    }

    protected override void PostStop()
    {
        LeaveAllRooms();
        _node.Connections.Remove(_id);
        if (!_stopping) _transport.Abort("connection actor stopped");
    }

    protected override void OnReceive(object message)
    {
        switch (_phase)
        {
            case Phase.Creating:
                switch (message)
                {
                    case Created:
                        var welcome = IsSocket ? _node.Settings.Transport.TcpWelcome : _node.Settings.Transport.WebSocketWelcome;
                        _transport.Send(_format.Welcome(welcome));
                        BecomeActive();
                        return;
                    case Break or TransportClosed:
                        break; // closing works in every phase (below)
                    default:
                        Stash.Stash();
                        return;
                }
                break;
            case Phase.Active:
                switch (message)
                {
                    case Request m:
                        Guarded(m);
                        return;
                    case Refused m:
                        Guarded(m);
                        return;
                    case LineTooLong m:
                        HandleLineTooLong(m);
                        return;
                    case ChangeRoom m:
                        Guarded(m);
                        return;
                }
                break;
            default: // Waiting for middleware or an action: verbs wait their turn
                switch (message)
                {
                    case Resume m:
                        Guarded(m);
                        return;
                    case Request or Refused or LineTooLong or ChangeRoom:
                        Stash.Stash();
                        return;
                }
                break;
        }
        switch (message)
        {
            case Break:
                Stop(goodbye: true);
                break;
            case TransportClosed:
                Stop(goodbye: false);
                break;
            case ActionDone m:
                HandleActionDone(m);
                break;
            case FileDone m:
                HandleFileDone(m);
                break;
            case RemovedFromRoom m:
                _rooms.Remove(m.Room);
                PublishView();
                break;
            case ConnectionProtocol.SendMessage m:
                HandleSendMessage(m);
                break;
            case ConnectionProtocol.SetProperty m:
                HandleSetProperty(m);
                break;
            case SayAcked m:
                if (_say?.Command.Ticket!.Id == m.SayId) SayAnswered();
                break;
            case SayRefused m:
                if (_say?.Command.Ticket!.Id == m.SayId && _local.Acks!.TryTake(m.SayId) is not null)
                {
                    Reply(_format.VerbError(m.Error, _say.MessageIdJson, _say.DataJson));
                    SayAnswered();
                }
                break;
            case RetrySay:
                RetryOrGiveUp();
                break;
            case ConnectionProtocol.CloseConnection:
                if (!Sender.IsNobody()) Sender.Tell(new ConnectionProtocol.ConnectionReply(_id, true));
                Stop(goodbye: true);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private ILoggingAdapter Log => _log ??= Context.GetLogger();

    private void BecomeActive()
    {
        _phase = Phase.Active;
        Stash.UnstashAll();
    }

    // Bad input must never take the connection (or the node) down: a failure is logged and answered.
    private void Guarded(object message)
    {
        try
        {
            switch (message)
            {
                case Request m: HandleRequest(m.Value); break;
                case Refused m: HandleRefused(m); break;
                case ChangeRoom m: HandleChangeRoom(m); break;
                case Resume m: HandleResume(m); break;
            }
        }
        catch (Exception e)
        {
            // The verb only: a request's line may hold a token (authenticate), and tokens are never logged.
            Log.Error(e, "connection {0}: {1} failed", _id, message is Request r ? "request " + r.Value.Verb : message.GetType().Name);
            Reply(_format.VerbError(ChatErrors.InternalError, _lastMessageIdJson, "{}"));
            BecomeActive();
        }
    }

    private void HandleRequest(ClientRequest r)
    {
        var messageId = NextMessageId(r);

        if (!_verbs.Contains(r.Verb))
        {
            if (r.Verb == HistoryVerbs.RoomHistory) RoomHistory(messageId, r); // history extension (docs/history.md)
            else if (r.Verb == "file") HandleFile(r, messageId);
            else if (IsSocket) HandleSocketAction(r);
            else if (r.Verb == "action") HandleAction(r.Json ?? new JsonObject(), messageId);
            else Reply(_format.VerbError(ChatErrors.VerbNotFound(r.Verb), messageId, r.DataJson));
            return;
        }

        switch (r.Verb)
        {
            case "quit":
            case "exit":
                Stop(goodbye: true);
                break;
            case "detailsView":
                Ok(Details(), messageId);
                break;
            case "documentation":
                // v20 documents the actions; v29's websocket answers with a TypeError [observed].
                if (IsSocket) Ok(Documentation(), messageId);
                else Error(ChatErrors.DocumentationUnavailable, messageId, r);
                break;
            case "paramAdd":
                var (key, value) = Verbs.ParamAdd(r.Args);
                if (key is not null && (Verbs.GlobalSafeParams.Contains(key) || _node.Actions.Registry.IsInputName(key)))
                {
                    if (value is null) _params.Remove(key);
                    else _params[key] = value;
                }
                Ok(null, messageId);
                break;
            case "paramDelete":
                if (r.Arg(0) is { } deleted) _params.Remove(deleted);
                Ok(null, messageId);
                break;
            case "paramView":
                Ok(r.Arg(0) is { } viewed && _params[viewed] is JsonNode v ? JsonText.Serialize(v) : null, messageId);
                break;
            case "paramsView":
                Ok(JsonText.Serialize(_params), messageId);
                break;
            case "paramsDelete":
                _params = new JsonObject();
                Ok(null, messageId);
                break;
            case "roomAdd":
                RoomAdd(r.Arg(0), messageId, r);
                break;
            case "roomLeave":
                RoomLeave(r.Arg(0), messageId, r);
                break;
            case "roomView":
                RoomView(r.Arg(0), messageId, r);
                break;
            case "say":
                Say(r.Arg(0), r.JoinFrom(1), messageId, r);
                break;
        }
    }

    // A limit refused the request before it got here (ConnectionSession): the error in request order, and after
    // too many refusals the connection closes with the reason.
    private void HandleRefused(Refused m)
    {
        var messageId = NextMessageId(m.Value);
        Reply(_format.VerbError(m.Error, messageId, m.Value.DataJson));
        if (m.Disconnect)
            Stop(goodbye: false, lastWords: _format.VerbError(ChatErrors.RateLimitDisconnect, messageId, m.Value.DataJson));
    }

    // The messageId a request is answered with (and the one TCP pushes carry afterwards).
    private string NextMessageId(ClientRequest r)
    {
        if (IsSocket)
        {
            // v20: the sticky param wins, else a fresh uuid for this request.
            _lastMessageIdJson = _params["messageId"] is JsonNode id ? JsonText.Serialize(id) : NewId();
        }
        else
        {
            // v29 websocket: params reset on every frame; a falsy messageId gets a uuid.
            _lastMessageIdJson = r.MessageIdJson ?? NewId();
            _params = new JsonObject();
        }
        return _lastMessageIdJson;
    }

    private void RoomAdd(string? room, string messageId, ClientRequest r)
    {
        // A room given as an object, array or boolean names no room [observed: "room does not exist"].
        if (room is null || (r.FirstArgIsNotString && r.FirstArgKind != JsonValueKind.Number))
        {
            Error(ChatErrors.RoomNotExist, messageId, r);
            return;
        }
        if (_rooms.Contains(room))
        {
            Error(ChatErrors.AlreadyInRoom(room), messageId, r);
            return;
        }
        var (join, badJoin) = HistoryVerbs.ParseJoin(r, IsSocket); // history extension: positions / since (docs/history.md)
        if (badJoin is not null)
        {
            Error(badJoin, messageId, r);
            return;
        }
        Await(_node.Middleware.JoinAsync(View(), room), new PendingVerb("join", room, messageId, r.DataJson) { Join = join });
    }

    // History extension (docs/history.md): a room's last messages, for its members only.
    private void RoomHistory(string messageId, ClientRequest r)
    {
        var room = r.Arg(0);
        if (room is null || r.FirstArgIsNotString || !_rooms.Contains(room))
        {
            Error(ChatErrors.NotInRoom(Verbs.RoomText(room)), messageId, r);
            return;
        }
        var (read, bad) = HistoryVerbs.ParseHistory(r, IsSocket, _id, room);
        if (bad is not null) Error(bad, messageId, r);
        else AskRoom(read!, new PendingVerb(HistoryVerbs.RoomHistory, room, messageId, r.DataJson));
    }

    private void RoomLeave(string? room, string messageId, ClientRequest r)
    {
        if (room is null || r.FirstArgIsNotString || !_rooms.Contains(room))
        {
            Error(ChatErrors.NotInRoom(Verbs.RoomText(room)), messageId, r);
            return;
        }
        Await(_node.Middleware.LeaveAsync(View(), room), new PendingVerb("leave", room, messageId, r.DataJson));
    }

    // addMember / removeMember from the server side (a cluster RPC): ActionHero's checks, then the verb's path.
    private void HandleChangeRoom(ChangeRoom m)
    {
        var verb = new PendingVerb(m.Join ? "join" : "leave", m.Room, "null", null) { ReplyTo = Sender };
        if (m.Join && _rooms.Contains(m.Room)) Fail(verb, ChatErrors.AlreadyInRoom(m.Room));
        else if (!m.Join && !_rooms.Contains(m.Room)) Fail(verb, ChatErrors.NotInRoom(m.Room));
        else if (m.Join) Await(_node.Middleware.JoinAsync(View(), m.Room), verb);
        else Await(_node.Middleware.LeaveAsync(View(), m.Room), verb);
    }

    private void RoomView(string? room, string messageId, ClientRequest r)
    {
        // ActionHero checks the connection's own rooms first: a room it is not in is "not in this room",
        // whether or not it exists [observed].
        if (room is null || r.FirstArgIsNotString || !_rooms.Contains(room))
        {
            Error(ChatErrors.NotInRoom(Verbs.RoomText(room)), messageId, r);
            return;
        }
        AskRoom(new GetRoomStatus(room), new PendingVerb("roomView", room, messageId, r.DataJson));
    }

    private void Say(string? room, string message, string messageId, ClientRequest r)
    {
        if (room is null || r.FirstArgIsFalsy || message.Length == 0)
        {
            Error(ChatErrors.RoomAndMessageRequired, messageId, r);
            return;
        }
        if (r.FirstArgIsNotString || !_rooms.Contains(room))
        {
            Error(ChatErrors.NotInRoom(room), messageId, r);
            return;
        }
        var payload = new ChatPayload(room, _id, JsonText.Quote(message), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Operations.NodeCounters.MessagesReceived.Increment();
        if (!_node.Middleware.HasOnSayReceive)
        {
            SendSay(payload, messageId, r.DataJson); // the hot path
            return;
        }
        var verdict = _node.Middleware.OnSayReceiveAsync(View(), room, ChatPayloadJson.ToJson(payload));
        Await(verdict, new PendingVerb("say", room, messageId, r.DataJson, payload));
    }

    /// <summary>Continue with the answer now if it is there (no middleware: the usual case), else wait for it.</summary>
    private void Await<T>(Task<T> answer, PendingVerb verb)
    {
        if (answer.IsCompletedSuccessfully)
        {
            HandleResume(new Resume(verb, answer.Result));
            return;
        }
        answer.ContinueWith(t => new Resume(verb, t.IsCompletedSuccessfully ? t.Result : null),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(Self);
        _phase = Phase.Waiting;
    }

    private void AskRoom(object command, PendingVerb verb)
    {
        _node.RoomRegion.Ask<object>(command, _node.Settings.RoomAskTimeout).ContinueWith(
            t => new Resume(verb, t.IsCompletedSuccessfully ? t.Result : null),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(Self);
        _phase = Phase.Waiting;
    }

    private void HandleResume(Resume resume)
    {
        var verb = resume.Verb;
        switch (resume.Answer)
        {
            // middleware verdicts: refuse, or go on to the room
            case RoomVerdict { Allowed: false } refused:
                Fail(verb, refused.Refusal!);
                break;
            case RoomVerdict when verb.Name == "join":
                AskRoom(HistoryVerbs.With(new JoinRoom(verb.Room, _id, Self, _node.Fanout, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), verb.Join),
                    verb with { Name = "roomAdd" });
                return;
            case RoomVerdict when verb.Name == "leave":
                AskRoom(new LeaveRoom(verb.Room, _id), verb with { Name = "roomLeave" });
                return;
            case SayVerdict say:
                if (HandleSayVerdict(verb, say)) return; // sent to the room: waits for its answer
                break;

            // room answers
            case null:
                Log.Warning("connection {0}: {1} of room {2} got no answer within {3}", _id, verb.Name, verb.Room, _node.Settings.RoomAskTimeout);
                Fail(verb, ChatErrors.RoomUnavailable);
                break;
            case RoomReply { Error: { } error }:
                Fail(verb, error);
                break;
            case RoomReply:
                if (verb.Name == "roomAdd") _rooms.Add(verb.Room);
                else _rooms.Remove(verb.Room);
                PublishView();
                if (verb.ReplyTo is not null) verb.ReplyTo.Tell(new RoomReply(verb.Room, null));
                else Ok("true", verb.MessageIdJson);
                break;
            case PositionReply p: // a join with positions (history extension)
                _rooms.Add(verb.Room);
                PublishView();
                Ok(HistoryVerbs.PositionJson(p), verb.MessageIdJson);
                break;
            case HistoryReply { Error: { } error }:
                Fail(verb, error);
                break;
            case HistoryReply h:
                Ok(HistoryVerbs.HistoryJson(h), verb.MessageIdJson);
                break;
            case RoomStatusReply { Error: { } error }:
                Fail(verb, error);
                break;
            case RoomStatusReply status:
                Ok(ConnectionJson.RoomStatus(status.Room, status.Members), verb.MessageIdJson);
                break;
        }
        BecomeActive();
    }

    // onSayReceive decided: send what it returned (only message/room/from/sentAt carry over), stay silent, or refuse.
    // True when the say went to its room (the connection keeps waiting for the room's answer).
    private bool HandleSayVerdict(PendingVerb verb, SayVerdict verdict)
    {
        switch (verdict.Kind)
        {
            case SayVerdictKind.Refuse:
                Fail(verb, verdict.Refusal!);
                return false;
            case SayVerdictKind.Deliver:
                SendSay(ChatPayloadJson.FromJson(verdict.Payload!, verb.Payload!), verb.MessageIdJson, verb.DataJson);
                return true;
        }
        Ok(null, verb.MessageIdJson);
        return false;
    }

    // "OK" means the room ordered the say: the reply is written by this node's fan-out when the room's delivery arrives,
    // just before the sender's own copy of the message. Until then later requests wait (one say in flight per
    // connection keeps its says in order, and lets every node drop a retried copy by its number).
    private void SendSay(ChatPayload payload, string messageId, string? dataJson)
    {
        var now = Environment.TickCount64;
        var say = new RoomProtocol.Say(payload, WantAck: false, new SayTicket(_id, ++_lastSayId), _node.Fanout);
        _say = new InFlightSay(say, messageId, dataJson, now);
        (_local.Acks ??= new SayAckSlot()).Arm(say.Ticket!.Id, _format.VerbOk(null, messageId), now);
        _node.RoomRegion.Tell(say);
        _phase = Phase.Waiting;
    }

    private void SayAnswered()
    {
        _say = null;
        BecomeActive();
    }

    // The room has not confirmed the say for a retry interval: send it again (same ticket: no member sees it twice), or,
    // past the bound, tell the client it did not go through. Whoever takes the slot first answers: the fan-out or this.
    private void RetryOrGiveUp()
    {
        if (_say is not { } say) return;
        var now = Environment.TickCount64;
        var retry = _node.Settings;
        if (say.Attempts >= retry.SayMaxAttempts || now - say.FirstSentAt >= (long)retry.SayRetryTimeout.TotalMilliseconds)
        {
            if (_local.Acks!.TryTake(say.Command.Ticket!.Id) is null) return; // ordered meanwhile: SayAcked is on its way
            Log.Warning("connection {0}: say to room {1} not confirmed after {2} attempts in {3} ms; refused",
                _id, say.Command.Room, say.Attempts, now - say.FirstSentAt);
            Reply(_format.VerbError(ChatErrors.RoomUnavailable, say.MessageIdJson, say.DataJson));
            SayAnswered();
            return;
        }
        say.Attempts++;
        _local.Acks!.Resent(now);
        _node.RoomRegion.Tell(say.Command);
    }

    private void Fail(PendingVerb verb, string error)
    {
        if (verb.ReplyTo is not null) verb.ReplyTo.Tell(new RoomReply(verb.Room, error));
        else Reply(_format.VerbError(error, verb.MessageIdJson, verb.DataJson));
    }

    // TCP: a word that is no verb is an action. A JSON line replaces the sticky params with its own
    // "params" and may name the action; anything else makes the first word the sticky action.
    private void HandleSocketAction(ClientRequest r)
    {
        JsonNode? parsed = null;
        try
        {
            parsed = JsonText.Parse(r.RawLine ?? r.Verb);
        }
        catch (JsonLoneSurrogateException e)
        {
            // Valid JSON to ActionHero (JavaScript strings may hold lone surrogates), but not text we can hold: say so
            // in the shape of an action's error, as the line was meant as one.
            Reply(_format.ActionReply(new JsonObject { ["error"] = e.Message }, _lastMessageIdJson));
            return;
        }
        catch (JsonException)
        {
        }
        if (parsed is JsonObject line)
        {
            if (line["params"] is JsonObject p) _params = (JsonObject)p.DeepClone();
            if (line["action"] is JsonNode a) _params["action"] = a.DeepClone();
            if (_params["messageId"] is JsonNode id) _lastMessageIdJson = JsonText.Serialize(id);
        }
        else if (!JsonText.IsTruthy(parsed))
        {
            _params["action"] = r.Verb; // not JSON, or a falsy JSON value [observed]
        }
        HandleAction(_params, _lastMessageIdJson);
    }

    private void HandleAction(JsonObject actionParams, string messageId)
    {
        _totalActions++;
        _pendingActions++;
        if (_pendingActions > _node.Settings.MaxPendingActions)
        {
            _pendingActions--;
            Reply(_format.ActionReply(new JsonObject { ["error"] = ChatErrors.TooManyPendingActions }, messageId));
            return;
        }
        var run = _node.Actions.RunAsync((JsonObject)actionParams.DeepClone(), View());
        if (run.IsCompletedSuccessfully)
        {
            HandleActionDone(new ActionDone(run.Result, messageId)); // answered at once (unknown action, bad params): keep request order
            return;
        }
        run.PipeTo(Self,
            success: result => new ActionDone(result, messageId),
            failure: e => new ActionDone(Actions.ActionResult.Error(e.Message, 500), messageId));
    }

    private void HandleActionDone(ActionDone done)
    {
        _pendingActions--;
        if (!done.Result.Changes.IsEmpty)
        {
            _properties = _properties.SetItems(done.Result.Changes);
            PublishView();
        }
        Reply(_format.ActionReply(done.Result.Response, done.MessageIdJson));
    }

    // The file verb (ActionHero's file server over the connection): the name comes from the frame's `file` (websocket)
    // or the first word, kept as the sticky `file` param (TCP v20). Read off the actor's thread; answered when read,
    // concurrently with later requests, as ActionHero does.
    private sealed record FileDone(Web.PublicLookup Lookup, Web.PublicFileContent? Content, string MessageIdJson);

    private void HandleFile(ClientRequest r, string messageId)
    {
        string? name;
        if (IsSocket)
        {
            if (r.Arg(0) is { } word) _params["file"] = word;
            name = _params["file"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        }
        else
        {
            name = r.DataJson is { } data && JsonText.Parse(data) is JsonObject frame && frame["file"] is JsonValue v
                && v.TryGetValue<string>(out var s) ? s : null;
        }
        if (_node.Files is not { } files)
        {
            HandleFileDone(new FileDone(Web.PublicLookup.NotFound, null, messageId));
            return;
        }
        files.ReadAsync(name).PipeTo(Self,
            success: read => new FileDone(read.Lookup, read.Content, messageId),
            failure: _ => new FileDone(Web.PublicLookup.NotFound, null, messageId));
    }

    private void HandleFileDone(FileDone done)
    {
        var error = done.Lookup switch
        {
            Web.PublicLookup.Found => null,
            Web.PublicLookup.TooLarge => ChatErrors.FileTooLarge(_node.Files?.MaxBytes ?? 0),
            _ => IsSocket ? ChatErrors.FileNotFoundV20 : ChatErrors.FileNotFound,
        };
        if (IsSocket)
        {
            // v20: the file's bytes as they are (no JSON, no delimiter); an error as a bare JSON string line.
            if (error is null && _transport is IUnframedSend raw) raw.SendUnframed(done.Content!.Bytes);
            else Reply(System.Text.Encoding.UTF8.GetBytes(JsonText.Quote(error ?? ChatErrors.FileNotFoundV20)));
            return;
        }
        var response = error is null
            ? new JsonObject
            {
                ["content"] = System.Text.Encoding.UTF8.GetString(done.Content!.Bytes),
                ["mime"] = done.Content.Mime,
                ["length"] = done.Content.Bytes.Length,
                // A JavaScript Date as JSON: ISO 8601, UTC, milliseconds.
                ["lastModified"] = done.Content.LastModified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            }
            : new JsonObject
            {
                // ActionHero's shape for a failed file request [observed].
                ["error"] = error,
                ["content"] = null,
                ["mime"] = "text/html",
                ["length"] = error.Length,
            };
        Reply(_format.ActionReply(response, done.MessageIdJson));
    }

    private void HandleLineTooLong(LineTooLong m) =>
        Reply(((SocketResponseFormat)_format).LineTooLong(ChatErrors.DataLengthTooLarge(m.MaxBytes, m.ReceivedBytes), _lastMessageIdJson));

    private void HandleSendMessage(ConnectionProtocol.SendMessage m)
    {
        var delivered = false;
        try
        {
            if (JsonText.Parse(m.MessageJson) is JsonObject message)
                delivered = _transport.Send(_format.Push(message, _lastMessageIdJson));
        }
        catch (JsonException e)
        {
            Log.Warning("connection {0}: sendMessage with invalid JSON dropped: {1}", _id, e.Message);
        }
        if (!Sender.IsNobody()) Sender.Tell(new ConnectionProtocol.ConnectionReply(_id, delivered));
    }

    // connections.apply(id, "set", [key, value]) from anywhere in the cluster.
    private void HandleSetProperty(ConnectionProtocol.SetProperty m)
    {
        JsonNode? value;
        try
        {
            value = JsonText.Parse(m.ValueJson);
        }
        catch (JsonException e)
        {
            Log.Warning("connection {0}: set {1} with invalid JSON ignored: {2}", _id, m.Key, e.Message);
            Sender.Tell(new ConnectionProtocol.ConnectionReply(_id, false));
            return;
        }
        _properties = _properties.SetItem(m.Key, value);
        PublishView();
        if (!Sender.IsNobody()) Sender.Tell(new ConnectionProtocol.ConnectionReply(_id, true));
    }

    private void Stop(bool goodbye, byte[]? lastWords = null)
    {
        if (_stopping) return;
        _stopping = true;
        // destroy middleware runs first; leave middleware runs for every room, but cannot keep a closing connection in
        // its rooms (ActionHero would leak the connection here).
        var view = View();
        if (!Chains.Destroy.IsEmpty) _ = RunConnectionHooks(Chains.Destroy, "destroy");
        if (!Chains.Leave.IsEmpty)
            foreach (var room in _rooms) _ = _node.Middleware.LeaveAsync(view, room);
        LeaveAllRooms();
        _node.Connections.Remove(_id);
        if (lastWords is not null) _transport.SendThenClose(lastWords, ChatErrors.RateLimitDisconnect);
        else if (goodbye) _transport.Goodbye();
        else _transport.Abort("closed");
        Context.Stop(Self);
    }

    private async Task RunConnectionHooks(ImmutableArray<Named<ConnectionHook>> hooks, string kind)
    {
        var view = View();
        var log = Log; // captured on the actor's thread: the hooks run outside it
        foreach (var hook in hooks)
        {
            try
            {
                await hook.Hook(view).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                log.Warning(e, "connection {0}: {1} middleware {2} failed", view.Id, kind, hook.Name);
            }
        }
    }

    // Rooms also watch this actor, so a member is dropped even if these messages are lost.
    private void LeaveAllRooms()
    {
        foreach (var room in _rooms) _node.RoomRegion.Tell(new LeaveRoom(room, _id));
        _rooms.Clear();
    }

    private ConnectionView View() => new(_id, _info.Type, _info.RemoteIp, _info.RemotePort, _info.Fingerprint ?? _id, _connectedAt,
        _rooms.ToImmutableArray(), _properties);

    private void PublishView() => _local.View = View();

    private string Details() => ConnectionJson.Details(_id, _info.Fingerprint ?? _id, _info.RemoteIp, _info.RemotePort, _params,
        _connectedAt, _rooms, _totalActions, _pendingActions);

    private string Documentation()
    {
        var docs = new JsonObject();
        foreach (var action in _node.Actions.Registry.All)
        {
            var inputs = new JsonObject();
            foreach (var input in action.Inputs)
                inputs[input.Name] = new JsonObject { ["required"] = input.Required, ["default"] = input.Default?.DeepClone() };
            docs[action.Name] = new JsonObject
            {
                ["1"] = new JsonObject { ["name"] = action.Name, ["version"] = 1, ["description"] = action.Description, ["inputs"] = inputs },
            };
        }
        return JsonText.Serialize(docs);
    }

    private void Ok(string? dataJson, string messageId) => Reply(_format.VerbOk(dataJson, messageId));

    private void Error(string error, string messageId, ClientRequest r) => Reply(_format.VerbError(error, messageId, r.DataJson));

    // Every client request gets exactly one reply through here: it ends the request (chatcluster.limits.max-requests-in-flight).
    private void Reply(byte[] json) => _transport.Reply(json);

    private static string NewId() => "\"" + Guid.NewGuid().ToString() + "\"";
}
