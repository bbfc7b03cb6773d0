using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using ChatCluster.Messages;
using ChatCluster.Node.Core;
using ChatCluster.Node.Middleware;
using ChatCluster.Transports;
using static ChatCluster.Messages.RoomProtocol;
using static ChatCluster.Node.Connections.ConnectionInbox;
using static ChatCluster.Node.Core.LocalConnection;

namespace ChatCluster.Node.Connections;

/// <summary>
/// One client connection (ActionHero's Connection): it holds a <see cref="ConnectionState"/>, asks
/// <see cref="VerbRules"/> what each request means on its transport's <see cref="ClientDialect"/>, and runs the
/// <see cref="VerbStep"/> it gets (replies, middleware, rooms, actions, files). Verbs are handled one at a time in
/// arrival order: a verb that must wait (for its room, or for join / leave / onSayReceive middleware) stashes later
/// requests until its answer comes, so a pipelined <c>roomAdd r</c> + <c>say r …</c> always works (ActionHero runs
/// them concurrently and may refuse the say). Actions run concurrently, at most <c>chatcluster.actions.max-pending</c>
/// at a time.
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
    private readonly ClientDialect _dialect;
    private readonly NodeServices _node;
    private readonly LocalConnection _local;
    private ILoggingAdapter? _log; // only when something fails: an adapter per connection is memory for nothing
    private Phase _phase = Phase.Creating;
    private ConnectionState _state;
    private string _lastMessageIdJson = "\"0\""; // beside the state: it changes with every request (see ConnectionState)
    private bool _stopping;
    private long _lastSayId;
    private InFlightSay? _say; // the say the room has not confirmed yet (one at a time)

    /// <summary>A say on its way to its room: what to send again, and how to answer the client if it never arrives.</summary>
    private sealed record InFlightSay(RoomProtocol.Say Command, string MessageIdJson, string? DataJson, long FirstSentAt)
    {
        public int Attempts { get; set; } = 1;
    }

    public ConnectionActor(string id, ClientInfo info, IClientTransport transport, NodeServices node, VerbSettings? verbs)
    {
        _id = id;
        _info = info;
        _transport = transport;
        _format = transport.Format;
        _dialect = transport.Dialect;
        _node = node;
        _state = ConnectionState.New(id, info.Fingerprint ?? id, info.RemoteIp, info.RemotePort, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            verbs ?? new VerbSettings(node.Settings.MaxPendingActions, node.Actions.Registry.IsInputName));
        _local = new LocalConnection(id, transport, Self, View());
    }

    // A plain switch rather than ReceiveActor handlers: building handler tables per actor (and again at every Become)
    // was a measurable part of each new connection's cost and memory.
    private enum Phase : byte { Creating, Active, Waiting }

    public IStash Stash { get; set; } = null!;

    private static readonly Deploy Deployment = Deploy.None.WithMailbox(ConnectionMailbox.ConfigPath);

    public static Props Props(string id, ClientInfo info, IClientTransport transport, NodeServices node, VerbSettings? verbs = null) =>
        ActorFactory<ConnectionActor>.Props(() => new ConnectionActor(id, info, transport, node, verbs), Deployment);

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
                        _transport.Send(_format.Welcome(_dialect.Welcome(_node.Settings.Transport)));
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
                    case Request or Refused or ChangeRoom:
                        Guarded(message);
                        return;
                    case LineTooLong m:
                        Reply(_dialect.LineTooLong(ChatErrors.DataLengthTooLarge(m.MaxBytes, m.ReceivedBytes), _lastMessageIdJson));
                        return;
                }
                break;
            default: // Waiting for middleware or a room: verbs wait their turn
                switch (message)
                {
                    case RoomChecked or MembershipChanged or RoomViewed or SayChecked or PositionedJoin or HistoryRead:
                        Guarded(message);
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
                _state = _state.Left(m.Room);
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
                case RoomChecked m: HandleRoomChecked(m); break;
                case MembershipChanged m: HandleMembershipChanged(m); break;
                case RoomViewed m: HandleRoomViewed(m); break;
                case SayChecked m: HandleSayChecked(m); break;
                case PositionedJoin m: HandlePositionedJoin(m); break;
                case HistoryRead m: HandleHistoryRead(m); break;
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
        var messageId = Received(r);
        Run(VerbRules.Decide(r, _state, _dialect), messageId, r.DataJson);
    }

    // A limit refused the request before it got here (ConnectionSession): the error in request order, and after
    // too many refusals the connection closes with the reason.
    private void HandleRefused(Refused m)
    {
        var messageId = Received(m.Value);
        Reply(_format.VerbError(m.Error, messageId, m.Value.DataJson));
        if (m.Disconnect)
            Stop(goodbye: false, lastWords: _format.VerbError(ChatErrors.RateLimitDisconnect, messageId, m.Value.DataJson));
    }

    // Every request starts here: the state it is decided on, and the messageId it is answered with.
    private string Received(ClientRequest r)
    {
        _state = VerbRules.Received(_state, _dialect);
        return _lastMessageIdJson = VerbRules.MessageId(r, _state, _dialect) ?? NewId();
    }

    // addMember / removeMember from the server side (a cluster RPC): ActionHero's checks, then the verb's path.
    private void HandleChangeRoom(ChangeRoom m)
    {
        var step = VerbRules.DecideChange(m.Room, m.Join, _state);
        var verb = new PendingVerb(m.Room, "null", null) { ReplyTo = Sender };
        if (step.Kind == VerbStepKind.Refuse) Fail(verb, step.Text!);
        else CheckRoom(verb, join: step.Kind == VerbStepKind.CheckJoin);
    }

    /// <summary>Carry out what the rules decided for a request.</summary>
    private void Run(in VerbStep step, string messageId, string? dataJson)
    {
        if (step.Next is { } next) _state = next;
        if (step.MessageIdJson is { } stickyId) messageId = _lastMessageIdJson = stickyId;
        switch (step.Kind)
        {
            case VerbStepKind.Reply:
                Ok(step.Text, messageId);
                break;
            case VerbStepKind.Refuse:
                Reply(_format.VerbError(step.Text!, messageId, dataJson));
                break;
            case VerbStepKind.CheckJoin:
                CheckRoom(new PendingVerb(step.Room!, messageId, dataJson) { Join = step.Join }, join: true);
                break;
            case VerbStepKind.CheckLeave:
                CheckRoom(new PendingVerb(step.Room!, messageId, dataJson), join: false);
                break;
            case VerbStepKind.ViewRoom:
                var viewed = new PendingVerb(step.Room!, messageId, dataJson);
                AskRoom<RoomStatusReply>(new GetRoomStatus(viewed.Room), viewed, static (verb, _, status) => new RoomViewed(verb, status));
                break;
            case VerbStepKind.Say:
                Say(step.Room!, step.Text!, messageId, dataJson);
                break;
            case VerbStepKind.RunAction:
                RunAction(step.Params!, messageId);
                break;
            case VerbStepKind.RefuseAction:
                Reply(_format.ActionReply(new JsonObject { ["error"] = step.Text }, messageId));
                break;
            case VerbStepKind.ReadFile:
                ReadFile(step.Text, messageId);
                break;
            case VerbStepKind.Document:
                Ok(Actions.ActionDocumentation.Of(_node.Actions.Registry.All), messageId);
                break;
            case VerbStepKind.Close:
                Stop(goodbye: true);
                break;
            case VerbStepKind.ReadHistory:
                AskRoom<HistoryReply>(step.Read!, new PendingVerb(step.Room!, messageId, dataJson), static (verb, _, h) => new HistoryRead(verb, h));
                break;
            default:
                throw new InvalidOperationException("no way to run a " + step.Kind + " step");
        }
    }

    private void Say(string room, string message, string messageId, string? dataJson)
    {
        var payload = new ChatPayload(room, _id, JsonText.Quote(message), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Core.NodeCounters.MessagesReceived.Increment();
        if (!_node.Middleware.HasOnSayReceive)
        {
            SendSay(payload, messageId, dataJson); // the hot path
            return;
        }
        var verb = new PendingVerb(room, messageId, dataJson);
        var verdict = _node.Middleware.OnSayReceiveAsync(View(), room, ChatPayloadJson.ToJson(payload));
        if (verdict.IsCompletedSuccessfully)
        {
            HandleSayChecked(new SayChecked(verb, payload, verdict.Result));
            return;
        }
        verdict.ContinueWith(t => new SayChecked(verb, payload, t.IsCompletedSuccessfully ? t.Result : null),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(Self);
        _phase = Phase.Waiting;
    }

    /// <summary>Join or leave middleware, then the room. Goes on at once when the answer is there (no middleware: the usual case).</summary>
    private void CheckRoom(PendingVerb verb, bool join)
    {
        var verdict = join ? _node.Middleware.JoinAsync(View(), verb.Room) : _node.Middleware.LeaveAsync(View(), verb.Room);
        if (verdict.IsCompletedSuccessfully)
        {
            HandleRoomChecked(new RoomChecked(verb, join, verdict.Result));
            return;
        }
        verdict.ContinueWith(t => new RoomChecked(verb, join, t.IsCompletedSuccessfully ? t.Result : null),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(Self);
        _phase = Phase.Waiting;
    }

    /// <summary>Ask the room; <paramref name="answered"/> turns its answer (null: none in time, or not a <typeparamref name="TReply"/>) into the message to go on with.</summary>
    private void AskRoom<TReply>(object command, PendingVerb verb, Func<PendingVerb, bool, TReply?, object> answered, bool join = false)
        where TReply : class
    {
        _node.RoomRegion.Ask<TReply>(command, _node.Settings.RoomAskTimeout).ContinueWith(
            t => answered(verb, join, t.IsCompletedSuccessfully ? t.Result : null),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(Self);
        _phase = Phase.Waiting;
    }

    // Middleware decided: refuse, or go on to the room.
    private void HandleRoomChecked(RoomChecked m)
    {
        var verb = m.Verb;
        switch (m.Verdict)
        {
            case null:
                NoAnswer(verb, m.Join ? "join" : "leave");
                break;
            case { Allowed: false } refused:
                Fail(verb, refused.Refusal!);
                break;
            case var _ when m.Join && verb.Join is not null:
                // A join with positions: answered with the position (after the missed messages), or a refusal.
                var positioned = HistoryVerbs.With(new JoinRoom(verb.Room, _id, Self, _node.Fanout, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), verb.Join);
                AskRoom<object>(positioned, verb, static (v, _, reply) => new PositionedJoin(v, reply));
                return;
            default:
                object command = m.Join
                    ? new JoinRoom(verb.Room, _id, Self, _node.Fanout, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
                    : new LeaveRoom(verb.Room, _id);
                AskRoom<RoomReply>(command, verb, static (v, join, reply) => new MembershipChanged(v, join, reply), m.Join);
                return;
        }
        BecomeActive();
    }

    private void HandleMembershipChanged(MembershipChanged m)
    {
        var verb = m.Verb;
        switch (m.Reply)
        {
            case null:
                NoAnswer(verb, m.Join ? "roomAdd" : "roomLeave");
                if (m.Join) Undo(verb.Room);
                break;
            case { Error: { } error }:
                Fail(verb, error);
                break;
            default:
                _state = m.Join ? _state.Joined(verb.Room) : _state.Left(verb.Room);
                PublishView();
                if (verb.ReplyTo is not null) verb.ReplyTo.Tell(new RoomReply(verb.Room, null));
                else Ok("true", verb.MessageIdJson);
                break;
        }
        BecomeActive();
    }

    // A join the client was told failed (no answer in time) may still reach the room later (it waited in the shard
    // region's buffer while the room moved): a leave behind it, through the same region in the same order, takes the
    // member out again, so the client is never in a room it was told it could not join.
    private void Undo(string room) => _node.RoomRegion.Tell(new LeaveRoom(room, _id), ActorRefs.NoSender);

    // History extension (docs/history.md): the room answered a join with positions.
    private void HandlePositionedJoin(PositionedJoin m)
    {
        switch (m.Reply)
        {
            case PositionReply p:
                _state = _state.Joined(m.Verb.Room);
                PublishView();
                Ok(HistoryVerbs.PositionJson(p), m.Verb.MessageIdJson);
                break;
            case RoomReply { Error: { } error }:
                Fail(m.Verb, error);
                break;
            default:
                NoAnswer(m.Verb, "roomAdd");
                Undo(m.Verb.Room);
                break;
        }
        BecomeActive();
    }

    private void HandleHistoryRead(HistoryRead m)
    {
        switch (m.Reply)
        {
            case null:
                NoAnswer(m.Verb, HistoryVerbs.RoomHistory);
                break;
            case { Error: { } error }:
                Fail(m.Verb, error);
                break;
            case var history:
                Ok(HistoryVerbs.HistoryJson(history), m.Verb.MessageIdJson);
                break;
        }
        BecomeActive();
    }

    private void HandleRoomViewed(RoomViewed m)
    {
        switch (m.Status)
        {
            case null:
                NoAnswer(m.Verb, "roomView");
                break;
            case { Error: { } error }:
                Fail(m.Verb, error);
                break;
            case var status:
                Ok(VerbResultJson.RoomStatus(status.Room, status.Members), m.Verb.MessageIdJson);
                break;
        }
        BecomeActive();
    }

    // onSayReceive decided: send what it returned (only message/room/from/sentAt carry over), stay silent, or refuse.
    private void HandleSayChecked(SayChecked m)
    {
        var verb = m.Verb;
        switch (m.Verdict)
        {
            case null:
                NoAnswer(verb, "say");
                break;
            case { Kind: SayVerdictKind.Refuse } refused:
                Fail(verb, refused.Refusal!);
                break;
            case { Kind: SayVerdictKind.Deliver } deliver:
                SendSay(ChatPayloadJson.FromJson(deliver.Payload!, m.Payload), verb.MessageIdJson, verb.DataJson);
                return; // sent to the room: waits for its answer
            default:
                Ok(null, verb.MessageIdJson);
                break;
        }
        BecomeActive();
    }

    private void NoAnswer(PendingVerb verb, string what)
    {
        Log.Warning("connection {0}: {1} of room {2} got no answer within {3}", _id, what, verb.Room, _node.Settings.RoomAskTimeout);
        Fail(verb, ChatErrors.RoomUnavailable);
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
        // Straight to the room's actor when this node knows it alive (RoomRefs: two mailbox hops less); a say lost to an
        // actor that stopped meanwhile is retried through the region (RetryOrGiveUp).
        if (_node.RoomRefs is { } rooms && rooms.TryGet(say.Room, out var room)) room.Tell(say);
        else _node.RoomRegion.Tell(say);
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
        // Where this node saw it ordered (if it did): the room's next actor then does not order it again in that epoch.
        var prior = _local.Acks.OrderedAt(say.Command.Ticket!.Id);
        _node.RoomRegion.Tell(prior is null ? say.Command : say.Command with { Prior = prior });
    }

    private void Fail(PendingVerb verb, string error)
    {
        if (verb.ReplyTo is not null) verb.ReplyTo.Tell(new RoomReply(verb.Room, error));
        else Reply(_format.VerbError(error, verb.MessageIdJson, verb.DataJson));
    }

    private void RunAction(JsonObject actionParams, string messageId)
    {
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
        _state = _state.ActionDone(done.Result.Changes);
        if (!done.Result.Changes.IsEmpty) PublishView();
        Reply(_format.ActionReply(done.Result.Response, done.MessageIdJson));
    }

    // The file verb (ActionHero's file server over the connection): read off the actor's thread; answered when read,
    // concurrently with later requests, as ActionHero does.
    private sealed record FileDone(Web.PublicLookup Lookup, Web.PublicFileContent? Content, string MessageIdJson);

    private void ReadFile(string? name, string messageId)
    {
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
        var answer = VerbRules.FileAnswer(_dialect, done.Lookup, done.Content, _node.Files?.MaxBytes ?? 0);
        if (answer.Unframed is { } bytes) _transport.SendUnframed(bytes);
        else if (answer.Line is { } line) Reply(line);
        else Reply(_format.ActionReply(answer.Response!, done.MessageIdJson));
    }

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
        _state = _state.WithProperty(m.Key, value);
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
            foreach (var room in _state.Rooms) _ = _node.Middleware.LeaveAsync(view, room);
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
        foreach (var room in _state.Rooms) _node.RoomRegion.Tell(new LeaveRoom(room, _id));
        _state = _state with { Rooms = ImmutableArray<string>.Empty };
    }

    private ConnectionView View() => new(_id, _info.Type, _state.RemoteIp, _state.RemotePort, _state.Fingerprint, _state.ConnectedAt,
        _state.Rooms, _state.Properties);

    private void PublishView() => _local.View = View();

    private void Ok(string? dataJson, string messageId) => Reply(_format.VerbOk(dataJson, messageId));

    // Every client request gets exactly one reply through here: it ends the request (chatcluster.limits.max-requests-in-flight).
    private void Reply(byte[] json) => _transport.Reply(json);

    private static string NewId() => "\"" + Guid.NewGuid().ToString() + "\"";
}
