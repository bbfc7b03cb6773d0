using Akka.Actor;
using ChatCluster.Node.Core;
using Akka.Cluster.Sharding;
using Akka.DistributedData;
using Akka.Event;
using Akka.Persistence;
using ChatCluster.Messages;
using ChatCluster.Node.Mirror;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// One room in the whole cluster (a sharding entity): the single writer that orders its messages.
/// It persists only existence (created / destroyed); members are soft state owned by connections, watched
/// so that a connection that dies without leaving (its node crashed) is dropped at once.
///
/// Its life is one <see cref="RoomPhase"/> at a time (see there for the moves); the existence decisions are the pure
/// <see cref="RoomState.Resolve"/> (journal against the replicated registry, after recovery) and
/// <see cref="RoomState.Reconcile"/> (journal against a shared store). After a move the room asks every node for its
/// members (Rejoining), so a room that moved keeps its members.
/// Existence: with an in-memory journal the registry decides (the journal may be stale or gone); with a shared
/// journal the journal decides. A room listed but without journal events is recreated in a new epoch.
/// Fan-out: one <see cref="Deliver"/> per node with members, to that node's fan-out actor.
///
/// With the Redis adapter (ActionHero's key store) the rooms SET is the cluster-wide truth about existence, because
/// ActionHero nodes create and destroy rooms there too: before a join, create, destroy, status or exists, the room
/// asks SISMEMBER and adopts (created by ActionHero) or drops (destroyed by ActionHero) the room in its journal.
/// Redis unreachable: the journal decides. Create and destroy reply only after their key-store writes, so the next
/// command's SISMEMBER sees them (Consulting, WritingKeys). Every message it orders is also published on the bus, once.
/// </summary>
public sealed class RoomActor : UntypedPersistentActor, IWithTimers
{
    private readonly RoomState _state;
    private readonly RoomActorSettings _settings;
    private readonly IActorRef _replicator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    // The epoch of the room's messages: new per actor, unless a graceful hand-over brings the previous one (history).
    private long _incarnation = Random.Shared.NextInt64(1, long.MaxValue);
    private RoomPhase _phase = RoomPhase.Recovering;
    // Rejoining: nodes asked for their members that have not answered yet; commands wait (stash) until all answer or
    // time runs out, so the first message after a move already reaches every member.
    private readonly HashSet<Address> _awaitingRejoin = new();
    private readonly IChatMirror _mirror;
    // The room's last messages (chatcluster.history), null when this room keeps none: the say path then pays one null check.
    private RoomHistory? _history;
    // Where its history is kept beyond this actor (chatcluster.history.store): with a durable store a room that starts
    // again continues its epoch from what was stored (LoadingHistory).
    private readonly IRoomHistoryLog _stored = NoHistoryStore.Instance;
    private readonly bool _storeDurable;
    // Whether this actor has ordered a message itself: from then on its epoch is out and no other history is adopted.
    private bool _orderedHere;
    // Whether the previous actor's history came by hand-over: newer than the store's (its last writes may be in flight),
    // so a load that completes afterwards does not replace it.
    private bool _handedOver;

    private sealed record Listed(bool? Value) : INoSerializationVerificationNeeded;

    private sealed record HistoryLoaded(IReadOnlyList<StoredHistoryEntry>? Entries, string? Error) : INoSerializationVerificationNeeded;

    private sealed record KeysWritten(IActorRef ReplyTo, object Reply) : INoSerializationVerificationNeeded;

    private sealed record RejoinTimeout : INoSerializationVerificationNeeded
    {
        public static readonly RejoinTimeout Instance = new();
    }

    private sealed record ExpireConfirmations : INoSerializationVerificationNeeded
    {
        public static readonly ExpireConfirmations Instance = new();
    }

    // The last say ordered per sender (a retry that finds its say here is not ordered a second time), and which nodes
    // with members have not confirmed it yet (the sender's OK waits). Made on the first ticketed say.
    private OrderedSays<IActorRef>? _ordered;

    public RoomActor(string room, RoomActorSettings settings, IChatMirror? mirror = null, IHistoryStore? store = null)
    {
        _state = new RoomState(room);
        _settings = settings;
        _mirror = mirror ?? NoChatMirror.Instance;
        _replicator = DistributedData.Get(Context.System).Replicator;
        if (settings.History.For(room) is { } rule)
        {
            _history = new RoomHistory(rule.Size, rule.Ttl);
            store ??= NoHistoryStore.Instance;
            _stored = store.Open(room, rule);
            _storeDurable = store.Durable;
        }
    }

    public static Props Props(string entityId, RoomActorSettings settings, IChatMirror? mirror = null, IHistoryStore? store = null) =>
        ActorFactory<RoomActor>.Props(() => new RoomActor(RoomMessageExtractor.RoomOf(entityId), settings, mirror, store));

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => "room-" + _state.Room;

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case RoomEvents.RoomCreated e: _state.Apply(e); break;
            case RoomEvents.RoomDestroyed e: _state.Apply(e); break;
            case RecoveryCompleted:
                MoveTo(RoomPhase.Resolving);
                var timeout = _settings.RegistryReadTimeout > TimeSpan.Zero ? _settings.RegistryReadTimeout : TimeSpan.FromSeconds(3);
                _replicator.Tell(Dsl.Get(RoomRegistry.Key, new ReadMajority(timeout)));
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        if (message is RoomHandOff) // in every phase: the hand-over waits for this actor to stop
        {
            RoomHandOff.SendHistory(Context, _state.Room, _state.Exists, _incarnation, _state.Seq, _history, _ordered, Now(),
                _settings.History.MaxChunkBytes);
            Context.Stop(Self);
            return;
        }
        if (message is HistoryHandOver handedOver)
        {
            // In every phase, never stashed: a retry of a say the previous actor ordered may be in the stash already,
            // and must find that say's ticket when it is unstashed (else it would be ordered a second time).
            AdoptHistory(handedOver);
            return;
        }
        if (_phase == RoomPhase.Resolving)
        {
            Resolve(message);
            return;
        }
        if (_phase == RoomPhase.LoadingHistory)
        {
            if (message is HistoryLoaded loaded) ResumeHistory(loaded);
            else Stash.Stash();
            return;
        }
        // Bookkeeping of says already ordered: never waits behind the key store or a rejoin.
        switch (message)
        {
            case DeliveryConfirmed c:
                HandleConfirmed(c);
                return;
            case ExpireConfirmations:
                HandleExpireConfirmations();
                return;
        }
        switch (_phase)
        {
            case RoomPhase.Consulting or RoomPhase.WritingKeys:
                WaitingForKeyStore(message);
                return;
            case RoomPhase.Rejoining:
                Rejoining(message);
                return;
        }
        if (_mirror.SharesRooms && message is JoinRoom or CreateRoom or DestroyRoom or GetRoomStatus or CheckRoomExists)
        {
            if (_phase != RoomPhase.Listed)
            {
                Consult();
                Stash.Stash();
                return;
            }
            MoveTo(RoomPhase.Active); // this command uses the fresh answer; the next one asks again
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

    private void MoveTo(RoomPhase next) => _phase = RoomPhases.Move(_state.Room, _phase, next);

    private void Resolve(object message)
    {
        bool? listed;
        switch (message)
        {
            case GetSuccess g when g.Key.Equals(RoomRegistry.Key):
                listed = g.Get(RoomRegistry.Key).Contains(_state.Room);
                break;
            case NotFound:
                listed = false;
                break;
            case GetFailure:
                _log.Warning("room {0}: registry not readable from a majority; trusting the journal (exists = {1})", _state.Room, _state.Exists);
                listed = null;
                break;
            default:
                Stash.Stash();
                return;
        }
        switch (_state.Resolve(listed, _settings.JournalIsShared))
        {
            case RoomExistence.Create:
                _log.Info("room {0}: listed in the registry without journal state (it moved); recreated in a new epoch", _state.Room);
                Persist(new RoomEvents.RoomCreated(_state.Room, _incarnation, Now()), e => { _state.Apply(e); LoadHistoryThenFinish(); });
                break;
            case RoomExistence.Destroy: // destroyed elsewhere after this node's journal last saw it
                Persist(new RoomEvents.RoomDestroyed(_state.Room, Now()), e => { _state.Apply(e); LoadHistoryThenFinish(); });
                break;
            default:
                LoadHistoryThenFinish();
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
        // Members of ActionHero nodes are only in the hash; ours come from the room itself (exact, no write lag).
        var merged = _mirror.MergeStatusAsync(_state.Room, status.Members);
        if (merged.IsCompletedSuccessfully)
        {
            Sender.Tell(ReferenceEquals(merged.Result, status.Members) ? status : status with { Members = merged.Result });
            return;
        }
        var room = _state.Room;
        merged.PipeTo(Sender, success: members => new RoomStatusReply(room, members, null));
    }

    // ---- the shared key store (a mirror that shares rooms: ActionHero's Redis) ----

    private void Consult()
    {
        MoveTo(RoomPhase.Consulting);
        _mirror.RoomListedAsync(_state.Room).PipeTo(Self, success: listed => new Listed(listed), failure: _ => new Listed(null));
    }

    private void WaitingForKeyStore(object message)
    {
        switch (message)
        {
            case Listed l:
                MoveTo(RoomPhase.Listed);
                Reconcile(l.Value);
                break;
            case KeysWritten w:
                MoveTo(RoomPhase.Active);
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
        var decision = _state.Reconcile(listed);
        if (decision == RoomExistence.Create)
        {
            _log.Info("room {0}: created by another node of the redis cluster; adopted", _state.Room);
            Persist(new RoomEvents.RoomCreated(_state.Room, _incarnation, Now()), e =>
            {
                _state.Apply(e);
                UpdateRegistry(listed: true);
                UpdateIdleTimeout();
                Stash.UnstashAll();
            });
            return;
        }
        if (decision == RoomExistence.Destroy)
        {
            _log.Info("room {0}: no longer listed by the shared store (destroyed by another node of the redis cluster); destroyed here too", _state.Room);
            foreach (var m in _state.Members)
            {
                Context.Unwatch(m.Connection);
                m.Connection.Tell(new RemovedFromRoom(_state.Room));
                m.NodeFanout.Tell(new MemberRemoved(_state.Room, m.ConnectionId));
            }
            Persist(new RoomEvents.RoomDestroyed(_state.Room, Now()), e =>
            {
                _state.Apply(e);
                ConfirmDeparted();
                UpdateRegistry(listed: false);
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
        if (keyStoreWrite.IsCompletedSuccessfully) // nothing to wait for (no mirror): no extra message
        {
            replyTo.Tell(reply);
            return;
        }
        MoveTo(RoomPhase.WritingKeys);
        keyStoreWrite.PipeTo(Self, success: () => new KeysWritten(replyTo, reply), failure: _ => new KeysWritten(replyTo, reply));
    }

    // Entries of ChatCluster nodes that did not re-announce their members (crashed) leave the hash.
    private void PruneKeyStore()
    {
        if (!_mirror.SharesRooms || !_state.Exists) return;
        _ = _mirror.PruneAsync(_state.Room, _state.Members.Select(m => m.ConnectionId).ToHashSet(StringComparer.Ordinal));
    }

    // With a durable store, the room reads its stored history before it orders anything (commands wait in the stash).
    private void LoadHistoryThenFinish()
    {
        if (_history is null || !_storeDurable)
        {
            FinishResolving();
            return;
        }
        MoveTo(RoomPhase.LoadingHistory);
        var timeout = _settings.History.StoreReadTimeout;
        var cancel = new CancellationTokenSource(timeout);
        _stored.LoadAsync(cancel.Token)
            .ContinueWith(t =>
            {
                cancel.Dispose();
                return t.IsCompletedSuccessfully ? new HistoryLoaded(t.Result, null)
                    : new HistoryLoaded(null, t.IsCanceled ? $"no answer within {timeout}" : t.Exception?.GetBaseException().Message);
            }, TaskScheduler.Default)
            .PipeTo(Self);
    }

    // The same epoch, its offsets continuing after the last stored one; nothing stored or no answer: a new epoch, and
    // the store drops what an older epoch left (so it is never continued after this one).
    private void ResumeHistory(HistoryLoaded loaded)
    {
        if (_handedOver)
        {
            FinishResolving();
            return;
        }
        if (loaded.Entries is not null && HistoryResume.From(loaded.Entries, _history!.Size) is { } resumed)
        {
            _incarnation = resumed.Epoch;
            _state.ContinueFrom(resumed.Seq);
            foreach (var e in resumed.Entries) _history.Append(e.Offset, e.Payload, e.At, e.Ticket);
            // The says the crashed actor ordered keep their tickets: a sender's retry is answered with its entry.
            Ordered.Restore(resumed.Epoch, resumed.Entries, Now());
            _log.Info("room {0}: stored history resumed ({1} messages, offset {2})", _state.Room, resumed.Entries.Count, resumed.Seq);
        }
        else
        {
            if (loaded.Error is not null)
                _log.Warning("room {0}: stored history not readable ({1}); a new epoch starts (clients get recovered:false)", _state.Room, loaded.Error);
            _stored.Restart();
        }
        FinishResolving();
    }

    private void FinishResolving()
    {
        UpdateIdleTimeout();
        if (_state.Exists) AnnounceStart();
        if (_awaitingRejoin.Count > 0)
        {
            MoveTo(RoomPhase.Rejoining);
            return;
        }
        MoveTo(RoomPhase.Active);
        PruneKeyStore();
        Stash.UnstashAll();
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
                    MoveTo(RoomPhase.Active);
                    PruneKeyStore();
                    Stash.UnstashAll();
                }
                break;
            case RejoinTimeout:
                _log.Warning("room {0}: {1} node(s) did not report their members within {2}: {3}", _state.Room, _awaitingRejoin.Count,
                    _settings.RejoinTimeout, string.Join(", ", _awaitingRejoin));
                _awaitingRejoin.Clear();
                MoveTo(RoomPhase.Active);
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
            UpdateRegistry(listed: true);
            UpdateIdleTimeout();
            ReplyAfter(_mirror.RoomCreatedAsync(_state.Room), sender, new RoomReply(_state.Room, null));
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
            ConfirmDeparted();
            UpdateRegistry(listed: false);
            UpdateIdleTimeout();
            ReplyAfter(_mirror.RoomDestroyedAsync(_state.Room, ours), sender, new RoomReply(_state.Room, null));
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
        // A position in an earlier epoch tells what the member saw there: a say the previous actor ordered and this one
        // orders again (its sender's retry) is not written to it twice (Deliver.Prior).
        var seenBefore = m.Since is { } seen && seen.Epoch != _incarnation ? seen : null;
        m.NodeFanout.Tell(new MemberAdded(_state.Room, m.ConnectionId, m.JoinedAt, m.Positions || m.Since is not null, seenBefore));
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
        ConfirmDeparted();
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
            _mirror.MemberLeft(_state.Room, member.ConnectionId);
            _log.Debug("room {0}: member {1} dropped, its connection is gone", _state.Room, member.ConnectionId);
            Announce(Presence.Leave, member.ConnectionId);
        }
        ConfirmDeparted();
        UpdateIdleTimeout();
    }

    // The decision is SayRule's; here its effects, in the order members and senders rely on.
    private void HandleSay(Say m)
    {
        var refusal = _state.CanSay();
        var ticket = m.Ticket;
        var senderNode = m.AckTo;
        var ticketed = ticket is not null && senderNode is not null;
        var done = ticketed ? _ordered?.Find(ticket!) : null;
        // Only a new say can wait for confirmations (the rule looks at found first): a retry builds no node set.
        var waitFor = ticketed && done is null ? OrderedSays<IActorRef>.NodesToWaitFor(_state.Nodes, senderNode!) : null;
        var found = done is null ? SayRule.Found.None : done.Pending ? SayRule.Found.Pending : SayRule.Found.Confirmed;
        // Every step but Refuse and Order is for a ticketed say: ticket and senderNode are set there.
        switch (SayRule.Decide(refusal, ticketed, found, m.Prior, _incarnation, _state.Seq, waitFor is not null))
        {
            case SayRule.Step.Refuse:
                if (m.WantAck) Sender.Tell(new RoomReply(_state.Room, refusal));
                else if (ticket is not null) Sender.Tell(new SayRefused(_state.Room, ticket.Id, refusal!));
                return;
            case SayRule.Step.ResendPending:
                // The same delivery again (no new order), to the nodes that have not confirmed it and to the sender's
                // (which drops it if it has it).
                foreach (var node in done!.Remaining!) node.Tell(done.Deliver);
                senderNode!.Tell(done.Deliver);
                break;
            case SayRule.Step.ResendConfirmed:
                // Ordered here (or by the previous actor, whose tickets came with its history) and confirmed already (its
                // OK was slow): the sender's node gets the delivery again, drops it as a copy and answers.
                senderNode!.Tell(done!.Deliver with { ConfirmTo = null });
                break;
            case SayRule.Step.AnswerFromPrior:
                // The sender's node has its offset already: answered from it, remembered for the next retry.
                var prior = m.Prior!;
                _log.Info("room {0}: a retry of say {1}/{2} was ordered at offset {3} of this epoch already (its node saw it); answered, not ordered again",
                    _state.Room, ticket!.Key, ticket.Id, prior.Offset);
                var again = new Deliver(prior.Epoch, prior.Offset, m.Payload, ticket);
                Ordered.Ordered(again, Now());
                senderNode!.Tell(again);
                break;
            case SayRule.Step.OrderAndWait:
                var confirmed = Fanout(m.Payload, ticket, Self, EarlierEpoch(m.Prior));
                // A sender's node without members here gets no fan-out, and needs the delivery all the same (it answers the sender).
                if (!_state.HasNode(senderNode!)) senderNode!.Tell(confirmed);
                if (Ordered.PendingCount == 0)
                    Timers.StartPeriodicTimer(nameof(ExpireConfirmations), ExpireConfirmations.Instance, _settings.ConfirmationSweepInterval);
                Ordered.Ordered(confirmed, Now(), waitFor, senderNode);
                break;
            case SayRule.Step.OrderAndRemember:
                var deliver = Fanout(m.Payload, ticket, prior: EarlierEpoch(m.Prior));
                Ordered.Ordered(deliver, Now());
                // The sender is answered by its node when the delivery arrives there; a sender this room does not count
                // as a member (its rejoin is late) must be answered all the same.
                if (!_state.HasNode(senderNode!)) senderNode!.Tell(deliver);
                break;
            case SayRule.Step.Order:
                Fanout(m.Payload, ticket, prior: EarlierEpoch(m.Prior));
                break;
        }
        if (m.WantAck) Sender.Tell(new RoomReply(_state.Room, null));
    }

    private void HandleConfirmed(DeliveryConfirmed c)
    {
        if (_ordered?.Confirm(c.Ticket, c.NodeFanout) is { } done) Acknowledge(done);
    }

    // Nodes without members have nothing left to confirm (members left, their connections or node went away).
    private void ConfirmDeparted()
    {
        if (_ordered is not { PendingCount: > 0 } ordered) return;
        foreach (var done in ordered.Retain(_state.HasNode)) Acknowledge(done);
    }

    private void Acknowledge(OrderedSays<IActorRef>.Entry done)
    {
        done.SenderNode?.Tell(new SayConfirmed(_state.Room, done.Ticket));
        if (Ordered.PendingCount == 0) Timers.Cancel(nameof(ExpireConfirmations));
    }

    private void HandleExpireConfirmations()
    {
        var expired = Ordered.Expire(Now(), (long)_settings.ConfirmationTimeout.TotalMilliseconds);
        if (expired > 0)
            _log.Warning("room {0}: {1} say(s) not confirmed by every node with members within {2}; forgotten (their senders were refused)",
                _state.Room, expired, _settings.ConfirmationTimeout);
        if (Ordered.PendingCount == 0) Timers.Cancel(nameof(ExpireConfirmations));
    }

    private OrderedSays<IActorRef> Ordered => _ordered ??= new OrderedSays<IActorRef>(_settings.ConfirmationTimeout);

    // Where the say was ordered before, when that was in another epoch (a crashed actor's): it goes on the delivery.
    private Position? EarlierEpoch(Position? prior)
    {
        if (prior is null || prior.Epoch == _incarnation) return null;
        _log.Info("room {0}: a retried say ordered at offset {1} of epoch {2} (lost with its actor) is ordered again in epoch {3}; members that rejoined from at or after it are spared it",
            _state.Room, prior.Offset, prior.Epoch, _incarnation);
        return prior;
    }

    private Deliver Fanout(ChatPayload payload, SayTicket? ticket = null, IActorRef? confirmTo = null, Position? prior = null)
    {
        var deliver = new Deliver(_incarnation, _state.NextSeq(), payload, ticket, confirmTo, prior);
        if (_history is not null)
        {
            var at = Now();
            _history.Append(deliver.Seq, payload, at, ticket);
            _stored.Append(_incarnation, deliver.Seq, payload, at, ticket);
            _orderedHere = true;
        }
        foreach (var node in _state.Nodes) node.Tell(deliver);
        // ActionHero nodes deliver it to their members; ChatCluster nodes ignore it (they got the Deliver above).
        _mirror.PublishChat(payload);
        return deliver;
    }

    // The replicated registry lists the rooms that exist (every create and destroy, wherever decided). Node and room are
    // read here, not in the update function, which the replicator runs on its own thread.
    private void UpdateRegistry(bool listed)
    {
        var node = SelfNode;
        var room = _state.Room;
        _replicator.Tell(Dsl.Update(RoomRegistry.Key, ORSet<string>.Empty, new WriteMajority(_settings.RegistryWriteTimeout),
            set => listed ? set.Add(node, room) : set.Remove(node, room)));
    }

    // The previous actor's history after a graceful hand-over (whether to take it is HistoryAdoption's rule): same epoch
    // and offsets, so clients recover across the move. With a durable store the room may already have resumed from it:
    // the hand-over comes from the live previous actor and may be newer than the store (its last writes still in
    // flight), so it replaces what was resumed.
    private void AdoptHistory(HistoryHandOver m)
    {
        var step = HistoryAdoption.Decide(_history is not null, _orderedHere, _handedOver, _incarnation, _state.Seq, m.Epoch, m.Seq);
        if (step == HistoryAdoption.Step.EpochOut)
            _log.Warning("room {0}: history of epoch {1} (offset {2}) handed over after this actor ordered offset {3} of its own epoch {4}; not adopted",
                _state.Room, m.Epoch, m.Seq, _state.Seq, _incarnation);
        if (step is not (HistoryAdoption.Step.AdoptSameEpoch or HistoryAdoption.Step.AdoptNewEpoch)) return;
        _handedOver = true;
        // Same epoch: the previous actor wrote it to the store itself; another: the store starts over with it.
        var storeHasIt = step == HistoryAdoption.Step.AdoptSameEpoch;
        _incarnation = m.Epoch;
        _state.ContinueFrom(m.Seq);
        _history = new RoomHistory(_history!.Size, _history.Ttl);
        if (!storeHasIt) _stored.Restart();
        foreach (var e in m.Entries)
        {
            _history.Append(e.Offset, e.Payload, e.At, e.Ticket);
            if (!storeHasIt) _stored.Append(m.Epoch, e.Offset, e.Payload, e.At, e.Ticket);
        }
        // The previous actor's last say per sender (older ones than the history holds too): a retry gets its delivery.
        // A new table (this actor ordered nothing yet, so nothing of its own waits for confirmations): entries resumed
        // from the store may be of another epoch than the hand-over's.
        _ordered = new OrderedSays<IActorRef>(_settings.ConfirmationTimeout);
        _ordered.Restore(m.Epoch, m.Entries, Now());
        if (m.Ordered is not null) _ordered.Restore(m.Epoch, m.Ordered, Now());
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

