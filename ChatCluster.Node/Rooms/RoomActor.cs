using Akka.Actor;
using ChatCluster.Node.Hosting;
using Akka.Cluster.Sharding;
using Akka.DistributedData;
using Akka.Event;
using Akka.Persistence;
using ChatCluster.Messages;
using ChatCluster.Node.Redis;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// One room in the whole cluster (a sharding entity): the single writer that orders its messages.
/// It persists only existence (created / destroyed); members are soft state owned by connections, watched
/// so that a connection that dies without leaving (its node crashed) is dropped at once.
///
/// <code>
///   recovering --journal replayed--> resolving (read the replicated registry, majority)
///   resolving --registry and journal agree / decided--> active --announce RoomStarted to every node
///   active: nodes answer RejoinMembers with their local members, so a room that moved keeps its members
/// </code>
/// Existence: with an in-memory journal the registry decides (the journal may be stale or gone); with a shared
/// journal the journal decides. A room listed but without journal events is recreated in a new epoch.
/// Fan-out: one <see cref="Deliver"/> per node with members, to that node's fan-out actor.
///
/// With the Redis adapter (ActionHero's key store) the rooms SET is the cluster-wide truth about existence, because
/// ActionHero nodes create and destroy rooms there too: before a join, create, destroy, status or exists, the room
/// asks SISMEMBER and adopts (created by ActionHero) or drops (destroyed by ActionHero) the room in its journal.
/// Redis unreachable: the journal decides. Create and destroy reply only after their key-store writes, so the next
/// command's SISMEMBER sees them. Every message it orders is also published on the bus, once.
/// <code>
///   active --join/create/destroy/status/exists--> consulting (stash) --SISMEMBER answered, reconciled--> active
///   active --create/destroy persisted--> writing keys (stash) --SADD / SREM+DEL done--> active (reply)
/// </code>
/// </summary>
public sealed class RoomActor : UntypedPersistentActor, IWithTimers
{
    private readonly RoomState _state;
    private readonly RoomActorSettings _settings;
    private readonly IActorRef _replicator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    // The epoch of the room's messages: new per actor, unless a graceful hand-over brings the previous one (history).
    private long _incarnation = Random.Shared.NextInt64(1, long.MaxValue);
    private bool _resolving;
    // Nodes asked for their members that have not answered yet; commands wait (stash) until all answer or time runs out,
    // so the first message after a move already reaches every member.
    private readonly HashSet<Address> _awaitingRejoin = new();
    private readonly RedisChatAdapter? _redis;
    // Waiting for the key store (SISMEMBER, or our own SADD / SREM): everything else waits in the stash.
    private bool _keyStoreBusy;
    // The next consulting command may skip SISMEMBER: it was stashed while the answer it needs came in.
    private bool _listedFresh;
    // The room's last messages (chatcluster.history), null when this room keeps none: the say path then pays one null check.
    private readonly RoomHistory? _history;

    private sealed record Listed(bool? Value) : INoSerializationVerificationNeeded;

    private sealed record KeysWritten(IActorRef ReplyTo, object Reply) : INoSerializationVerificationNeeded;

    private sealed record RejoinTimeout : INoSerializationVerificationNeeded
    {
        public static readonly RejoinTimeout Instance = new();
    }

    public RoomActor(string room, RoomActorSettings settings, RedisChatAdapter? redis = null)
    {
        _state = new RoomState(room);
        _settings = settings;
        _redis = redis;
        _replicator = DistributedData.Get(Context.System).Replicator;
        if (settings.History.For(room) is { } rule) _history = new RoomHistory(rule.Size, rule.Ttl);
    }

    public static Props Props(string entityId, RoomActorSettings settings, RedisChatAdapter? redis = null) =>
        ActorFactory<RoomActor>.Props(() => new RoomActor(RoomMessageExtractor.RoomOf(entityId), settings, redis));

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => "room-" + _state.Room;

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case RoomEvents.RoomCreated e: _state.Apply(e); break;
            case RoomEvents.RoomDestroyed e: _state.Apply(e); break;
            case RecoveryCompleted:
                _resolving = true;
                var timeout = _settings.RegistryReadTimeout > TimeSpan.Zero ? _settings.RegistryReadTimeout : TimeSpan.FromSeconds(3);
                _replicator.Tell(Dsl.Get(RoomRegistry.Key, new ReadMajority(timeout)));
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        if (message is RoomHandOff) // in every phase: the hand-over waits for this actor to stop
        {
            RoomHandOff.SendHistory(Context, _state.Room, _incarnation, _state.Seq, _history, Now());
            Context.Stop(Self);
            return;
        }
        if (_resolving)
        {
            Resolve(message);
            return;
        }
        if (_keyStoreBusy)
        {
            WaitingForKeyStore(message);
            return;
        }
        if (_awaitingRejoin.Count > 0)
        {
            Rejoining(message);
            return;
        }
        if (_redis is not null && message is JoinRoom or CreateRoom or DestroyRoom or GetRoomStatus or CheckRoomExists)
        {
            if (!_listedFresh)
            {
                Consult();
                Stash.Stash();
                return;
            }
            _listedFresh = false;
        }
        switch (message)
        {
            case Say m: HandleSay(m); break;
            case JoinRoom m: HandleJoin(m); break;
            case LeaveRoom m: HandleLeave(m); break;
            case GetRoomStatus: HandleStatus(); break;
            case CheckRoomExists: Sender.Tell(new RoomExistsReply(_state.Room, _state.Exists)); break;
            case CreateRoom: HandleCreate(); break;
            case DestroyRoom: HandleDestroy(); break;
            case Terminated t: HandleTerminated(t.ActorRef); break;
            case RejoinMembers m: HandleRejoin(m); break;
            case HistoryHandOver m: AdoptHistory(m); break;
            case ReadHistory m: Sender.Tell(RoomHistoryReads.Read(_state, _history, _incarnation, m, Now(), _settings.History.MaxChunkBytes)); break;
            case RejoinTimeout: break;
            case ReceiveTimeout: Context.Parent.Tell(new Passivate(PoisonPill.Instance)); break;
            case UpdateSuccess: break;
            case UpdateTimeout u:
                _log.Warning("room {0}: registry update not confirmed by a majority within {1} (it will spread by gossip)", _state.Room, _settings.RegistryWriteTimeout);
                break;
            default: Unhandled(message); break;
        }
    }

    private void Resolve(object message)
    {
        switch (message)
        {
            case GetSuccess g when g.Key.Equals(RoomRegistry.Key):
                var listed = g.Get(RoomRegistry.Key).Contains(_state.Room);
                if (listed && !_state.Exists)
                {
                    _log.Info("room {0}: listed in the registry without journal state (it moved); recreated in a new epoch", _state.Room);
                    Persist(new RoomEvents.RoomCreated(_state.Room, _incarnation, Now()), e => { _state.Apply(e); FinishResolving(); });
                    return;
                }
                if (!listed && _state.Exists && !_settings.JournalIsShared)
                {
                    // Destroyed elsewhere after this node's journal last saw it.
                    Persist(new RoomEvents.RoomDestroyed(_state.Room, Now()), e => { _state.Apply(e); FinishResolving(); });
                    return;
                }
                FinishResolving();
                break;
            case NotFound:
                if (_state.Exists && !_settings.JournalIsShared)
                {
                    Persist(new RoomEvents.RoomDestroyed(_state.Room, Now()), e => { _state.Apply(e); FinishResolving(); });
                    return;
                }
                FinishResolving();
                break;
            case GetFailure:
                _log.Warning("room {0}: registry not readable from a majority; trusting the journal (exists = {1})", _state.Room, _state.Exists);
                FinishResolving();
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    private void HandleStatus()
    {
        if (!_state.Exists)
        {
            Sender.Tell(new RoomStatusReply(_state.Room, Array.Empty<RoomMember>(), ChatErrors.RoomNotExist));
            return;
        }
        var status = _state.Status();
        if (_redis is null)
        {
            Sender.Tell(status);
            return;
        }
        // Members of ActionHero nodes are only in the hash; ours come from the room itself (exact, no write lag).
        var room = _state.Room;
        _redis.MergeStatusAsync(room, status.Members).PipeTo(Sender, success: members => new RoomStatusReply(room, members, null));
    }

    // ---- the key store (Redis adapter only) ----

    private void Consult()
    {
        _keyStoreBusy = true;
        _redis!.RoomListedAsync(_state.Room).PipeTo(Self, success: listed => new Listed(listed), failure: _ => new Listed(null));
    }

    private void WaitingForKeyStore(object message)
    {
        switch (message)
        {
            case Listed l:
                _keyStoreBusy = false;
                _listedFresh = true;
                Reconcile(l.Value);
                break;
            case KeysWritten w:
                _keyStoreBusy = false;
                w.ReplyTo.Tell(w.Reply);
                Stash.UnstashAll();
                break;
            case Terminated t:
                HandleTerminated(t.ActorRef);
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    // The rooms SET is the shared truth: adopt a room an ActionHero node created, drop one it destroyed.
    private void Reconcile(bool? listed)
    {
        if (listed == true && !_state.Exists)
        {
            _log.Info("room {0}: created by another node of the redis cluster; adopted", _state.Room);
            Persist(new RoomEvents.RoomCreated(_state.Room, _incarnation, Now()), e =>
            {
                _state.Apply(e);
                _replicator.Tell(Dsl.Update(RoomRegistry.Key, ORSet<string>.Empty, new WriteMajority(_settings.RegistryWriteTimeout),
                    set => set.Add(SelfNode, _state.Room)));
                UpdateIdleTimeout();
                Stash.UnstashAll();
            });
            return;
        }
        if (listed == false && _state.Exists)
        {
            _log.Info("room {0}: no longer in {1} (destroyed by another node of the redis cluster); destroyed here too", _state.Room, RedisChatKeys.Rooms);
            foreach (var m in _state.Members)
            {
                Context.Unwatch(m.Connection);
                m.Connection.Tell(new RemovedFromRoom(_state.Room));
                m.NodeFanout.Tell(new MemberRemoved(_state.Room, m.ConnectionId));
            }
            Persist(new RoomEvents.RoomDestroyed(_state.Room, Now()), e =>
            {
                _state.Apply(e);
                _replicator.Tell(Dsl.Update(RoomRegistry.Key, ORSet<string>.Empty, new WriteMajority(_settings.RegistryWriteTimeout),
                    set => set.Remove(SelfNode, _state.Room)));
                UpdateIdleTimeout();
                Stash.UnstashAll();
            });
            return;
        }
        Stash.UnstashAll();
    }

    // Reply after the key-store write, so the next SISMEMBER (ours or an ActionHero node's) already sees it.
    private void ReplyAfter(Task keyStoreWrite, IActorRef replyTo, object reply)
    {
        _keyStoreBusy = true;
        keyStoreWrite.PipeTo(Self, success: () => new KeysWritten(replyTo, reply), failure: _ => new KeysWritten(replyTo, reply));
    }

    // Entries of ChatCluster nodes that did not re-announce their members (crashed) leave the hash.
    private void PruneKeyStore()
    {
        if (_redis is null || !_state.Exists) return;
        _ = _redis.PruneAsync(_state.Room, _state.Members.Select(m => m.ConnectionId).ToHashSet(StringComparer.Ordinal));
    }

    private void FinishResolving()
    {
        _resolving = false;
        UpdateIdleTimeout();
        if (_state.Exists) AnnounceStart();
        if (_awaitingRejoin.Count == 0)
        {
            PruneKeyStore();
            Stash.UnstashAll();
        }
    }

    // Every node answers with the members it holds for this room (an empty list when it has none).
    private void AnnounceStart()
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        var started = new RoomStarted(_state.Room, Self);
        foreach (var member in cluster.State.Members)
        {
            if (member.Status is not (Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.WeaklyUp or Akka.Cluster.MemberStatus.Leaving)) continue;
            _awaitingRejoin.Add(member.Address);
            Context.ActorSelection(new RootActorPath(member.Address) / "user" / NodeFanoutActor.Name).Tell(started);
        }
        if (_awaitingRejoin.Count > 0)
            Timers.StartSingleTimer(nameof(RejoinTimeout), RejoinTimeout.Instance, _settings.RejoinTimeout);
    }

    private void Rejoining(object message)
    {
        switch (message)
        {
            case RejoinMembers m:
                HandleRejoin(m);
                _awaitingRejoin.Remove(m.NodeFanout.Path.Address.HasGlobalScope ? m.NodeFanout.Path.Address : Akka.Cluster.Cluster.Get(Context.System).SelfAddress);
                if (_awaitingRejoin.Count == 0)
                {
                    Timers.Cancel(nameof(RejoinTimeout));
                    PruneKeyStore();
                    Stash.UnstashAll();
                }
                break;
            case RejoinTimeout:
                _log.Warning("room {0}: {1} node(s) did not report their members within {2}: {3}", _state.Room, _awaitingRejoin.Count,
                    _settings.RejoinTimeout, string.Join(", ", _awaitingRejoin));
                _awaitingRejoin.Clear();
                PruneKeyStore();
                Stash.UnstashAll();
                break;
            case Terminated t:
                HandleTerminated(t.ActorRef);
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    private void HandleRejoin(RejoinMembers m)
    {
        if (!_state.Exists) return;
        foreach (var member in m.Members)
        {
            if (_state.CanJoin(member.ConnectionId) is not null) continue;
            _state.Add(new RoomState.Member(member.ConnectionId, member.JoinedAt, member.Connection, m.NodeFanout));
            Context.Watch(member.Connection);
        }
        if (m.Members.Count > 0) _log.Info("room {0}: {1} members re-announced by {2}", _state.Room, m.Members.Count, m.NodeFanout.Path.Address);
        UpdateIdleTimeout();
    }

    private void Announce(string kind, string connectionId, IActorRef? alsoTo = null)
    {
        if (!_settings.PresenceEvents) return;
        var presence = new Presence(_state.Room, kind, connectionId, Now());
        foreach (var node in _state.Nodes) node.Tell(presence);
        if (alsoTo is not null && !_state.Nodes.Contains(alsoTo)) alsoTo.Tell(presence);
    }

    private void HandleCreate()
    {
        var error = _state.CanCreate();
        if (error is not null)
        {
            Sender.Tell(new RoomReply(_state.Room, error));
            return;
        }
        var sender = Sender;
        Persist(new RoomEvents.RoomCreated(_state.Room, _incarnation, Now()), e =>
        {
            _state.Apply(e);
            // The local replica is updated before the reply leaves, so a list() after add() sees the room.
            _replicator.Tell(Dsl.Update(RoomRegistry.Key, ORSet<string>.Empty, new WriteMajority(_settings.RegistryWriteTimeout),
                set => set.Add(SelfNode, _state.Room)));
            UpdateIdleTimeout();
            if (_redis is null) sender.Tell(new RoomReply(_state.Room, null));
            else ReplyAfter(_redis.RoomCreatedAsync(_state.Room), sender, new RoomReply(_state.Room, null));
        });
    }

    private void HandleDestroy()
    {
        var error = _state.CanDestroy();
        if (error is not null)
        {
            Sender.Tell(new RoomReply(_state.Room, error));
            return;
        }
        // ActionHero order as members see it: "this room has been deleted", then they are out of the room. The
        // connections hear it first (same path to their node as the fan-out), so a client that reacts to the notice
        // is already out of the room; the fan-out still delivers the notice, then forgets the members.
        foreach (var m in _state.Members)
        {
            Context.Unwatch(m.Connection);
            m.Connection.Tell(new RemovedFromRoom(_state.Room));
        }
        Fanout(new ChatPayload(_state.Room, ChatPayload.ServerSender, JsonString(ChatErrors.RoomHasBeenDeleted), Now()));
        foreach (var m in _state.Members) m.NodeFanout.Tell(new MemberRemoved(_state.Room, m.ConnectionId));
        var ours = _state.Members.Select(m => m.ConnectionId).ToHashSet(StringComparer.Ordinal);
        var sender = Sender;
        Persist(new RoomEvents.RoomDestroyed(_state.Room, Now()), e =>
        {
            _state.Apply(e);
            _replicator.Tell(Dsl.Update(RoomRegistry.Key, ORSet<string>.Empty, new WriteMajority(_settings.RegistryWriteTimeout),
                set => set.Remove(SelfNode, _state.Room)));
            UpdateIdleTimeout();
            if (_redis is null) sender.Tell(new RoomReply(_state.Room, null));
            else ReplyAfter(_redis.RoomDestroyedAsync(_state.Room, ours), sender, new RoomReply(_state.Room, null));
        });
    }

    private void HandleJoin(JoinRoom m)
    {
        var error = _state.CanJoin(m.ConnectionId);
        if (error is not null)
        {
            Sender.Tell(new RoomReply(_state.Room, error));
            return;
        }
        if (m.Since is { } since && RoomRecovery.Check(since, _incarnation, _state.Seq) is { } badPosition)
        {
            Sender.Tell(new RoomReply(_state.Room, badPosition));
            return;
        }
        _state.Add(new RoomState.Member(m.ConnectionId, m.JoinedAt, m.Connection, m.NodeFanout));
        Context.Watch(m.Connection);
        // Before the reply: every message ordered after this join reaches the new member's node already knowing it.
        m.NodeFanout.Tell(new MemberAdded(_state.Room, m.ConnectionId, m.JoinedAt, m.Positions || m.Since is not null));
        UpdateIdleTimeout();
        // With positions: what the member missed goes to its node now, so it is written before any later message.
        if (m.Positions || m.Since is not null) RoomHistoryReads.Join(_state, _history, _incarnation, m, Now(), _settings.History.MaxChunkBytes, Sender);
        else Sender.Tell(new RoomReply(_state.Room, null));
        Announce(Presence.Join, m.ConnectionId);
    }

    private void HandleLeave(LeaveRoom m)
    {
        var error = _state.CanLeave(m.ConnectionId);
        if (error is not null)
        {
            Sender.Tell(new RoomReply(_state.Room, error));
            return;
        }
        var member = _state.Remove(m.ConnectionId)!;
        if (_state.MembersOf(member.Connection).Count == 0) Context.Unwatch(member.Connection);
        member.NodeFanout.Tell(new MemberRemoved(_state.Room, m.ConnectionId));
        UpdateIdleTimeout();
        Sender.Tell(new RoomReply(_state.Room, null));
        Announce(Presence.Leave, m.ConnectionId);
    }

    private void HandleTerminated(IActorRef connection)
    {
        foreach (var member in _state.MembersOf(connection))
        {
            _state.Remove(member.ConnectionId);
            member.NodeFanout.Tell(new MemberRemoved(_state.Room, member.ConnectionId));
            // The holding node may be gone (crashed): its fan-out cannot remove the entry, so the room does (HDEL is idempotent).
            _redis?.MemberLeft(_state.Room, member.ConnectionId);
            _log.Debug("room {0}: member {1} dropped, its connection is gone", _state.Room, member.ConnectionId);
            Announce(Presence.Leave, member.ConnectionId);
        }
        UpdateIdleTimeout();
    }

    private void HandleSay(Say m)
    {
        var error = _state.CanSay();
        if (error is not null)
        {
            if (m.WantAck) Sender.Tell(new RoomReply(_state.Room, error));
            else if (m.Ticket is not null) Sender.Tell(new SayRefused(_state.Room, m.Ticket.Id, error));
            return;
        }
        var deliver = Fanout(m.Payload, m.Ticket);
        // The sender is answered by its node when the delivery arrives there; a sender this room does not count as a
        // member (its rejoin is late) must be answered all the same.
        if (m.Ticket is not null && m.AckTo is not null && !_state.HasNode(m.AckTo)) m.AckTo.Tell(deliver);
        if (m.WantAck) Sender.Tell(new RoomReply(_state.Room, null));
    }

    private Deliver Fanout(ChatPayload payload, SayTicket? ticket = null)
    {
        var deliver = new Deliver(_incarnation, _state.NextSeq(), payload, ticket);
        _history?.Append(deliver.Seq, payload, Now());
        foreach (var node in _state.Nodes) node.Tell(deliver);
        // ActionHero nodes deliver it to their members; ChatCluster nodes ignore it (they got the Deliver above).
        _redis?.PublishChat(payload);
        return deliver;
    }

    // The previous actor's history after a graceful hand-over: same epoch and offsets, so clients recover across the
    // move. Only before this actor ordered a message of its own (else its epoch is already out: clients see it change).
    private void AdoptHistory(HistoryHandOver m)
    {
        if (_history is null || _state.Seq != 0 || _history.Count != 0) return;
        _incarnation = m.Epoch;
        _state.ContinueFrom(m.Seq);
        foreach (var e in m.Entries) _history.Append(e.Offset, e.Payload, e.At);
        _log.Info("room {0}: history handed over ({1} messages, offset {2})", _state.Room, m.Entries.Count, m.Seq);
    }

    // Members keep a room alive; an empty room stops after a while (its existence is in the journal).
    private void UpdateIdleTimeout()
    {
        if (_state.MemberCount > 0) Context.SetReceiveTimeout(null);
        else Context.SetReceiveTimeout(_state.Exists ? _settings.PassivateIdleAfter : _settings.PassivateMissingAfter);
    }

    private Akka.Cluster.UniqueAddress SelfNode => Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress;

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static string JsonString(string text) => ChatCluster.Transports.JsonText.Quote(text);
}

