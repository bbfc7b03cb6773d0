using Akka.Actor;
using ChatCluster.Node.Core;
using ChatCluster.Node.Middleware;
using ChatCluster.Node.Mirror;
using ChatCluster.Transports;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// This node's end of room fan-out: rooms send one <see cref="Deliver"/> per node, and this actor writes it to every
/// local member itself (small rooms) or hands it to the node's <see cref="FanoutLanes"/> (rooms of more than
/// <see cref="FanoutLanes.InlineMaxMembers"/> here), which write it on every core. The payload is encoded once here and
/// the same bytes go to every member (TCP and websocket alike); no per-recipient serialization. Local membership comes from the rooms
/// themselves (<see cref="MemberAdded"/> always precedes the deliveries it must see).
/// With the Redis adapter, this node's members are mirrored into ActionHero's member hashes here (the node that holds
/// the connection writes its entry, as ActionHero does), and chat from ActionHero nodes arrives here as a
/// <see cref="Deliver"/> too.
/// </summary>
public sealed class NodeFanoutActor : ReceiveActor
{
    private readonly LocalConnections _connections;
    private readonly MiddlewarePipeline _middleware;
    private readonly IChatMirror _mirror;
    private readonly FanoutLanes _lanes;
    private readonly DeliveredSays _delivered;
    private readonly RoomRefs? _roomRefs;
    public const string Name = "fanout";

    private readonly Dictionary<string, LocalRoomMembers> _rooms = new(StringComparer.Ordinal);
    // This partition's clock: one tick per member added and per ticketed delivery, so a copy of a say can tell the members
    // that were here when this node delivered it from those added since (DeliveredSays, WriteToLaterMembers).
    private long _stamp;
    // Histories this node's room actors handed over on their way out, until the rooms' next actors start (ParkedHandOvers).
    private readonly ParkedHandOvers _parked;

    // The room actors this partition told RoomRefs about, both ways, death-watched (see LearnRoomActor).
    private readonly Dictionary<string, IActorRef> _roomActors = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _watchedRooms = new();

    // Sockets written by the inline path since the last FlushWrites (one entry per write; bounded by what one round of
    // this mailbox delivers), and whether a FlushWrites is on its way.
    private readonly List<IClientTransport> _unflushed = new();
    private bool _flushQueued;

    public NodeFanoutActor(LocalConnections connections, MiddlewarePipeline middleware, FanoutLanes lanes, TimeSpan dedupeWindow,
        IChatMirror? mirror = null, RoomRefs? roomRefs = null)
    {
        _roomRefs = roomRefs;
        _lanes = lanes;
        _delivered = new DeliveredSays(dedupeWindow);
        // As long as a copy of a say is remembered: a room's next actor starts within seconds of the old one's stop.
        _parked = new ParkedHandOvers((long)dedupeWindow.TotalMilliseconds);
        _connections = connections;
        _middleware = middleware;
        _mirror = mirror ?? NoChatMirror.Instance;
        Receive<Deliver>(HandleDeliver);
        Receive<SayConfirmed>(HandleSayConfirmed);
        Receive<MemberAdded>(HandleAdded);
        Receive<MemberRemoved>(HandleRemoved);
        Receive<RoomStarted>(HandleRoomStarted);
        Receive<Presence>(HandlePresence);
        Receive<Replay>(m => HistoryFanout.Replay(_rooms.GetValueOrDefault(m.Room), m));
        Receive<MirrorResync>(_ => HandleResync());
        Receive<Terminated>(HandleRoomActorStopped);
        Receive<FlushWrites>(_ => HandleFlushWrites());
        Receive<HistoryHandOver>(m => _parked.Park(m, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    /// <summary>
    /// The node's fan-out: <paramref name="partitions"/> of these actors behind one consistent-hashing router at
    /// <c>/user/fanout</c>, keyed by room, so rooms fan out on every core while each room keeps one order.
    /// </summary>
    public static Props RouterProps(int partitions, LocalConnections connections, MiddlewarePipeline middleware, FanoutLanes lanes,
        TimeSpan dedupeWindow, IChatMirror? mirror = null, RoomRefs? roomRefs = null) =>
        Props(connections, middleware, lanes, dedupeWindow, mirror, roomRefs).WithRouter(new Akka.Routing.ConsistentHashingPool(partitions).WithHashMapping(RoomOf));

    private static object RoomOf(object message) => message switch
    {
        Deliver m => m.Payload.Room,
        SayConfirmed m => m.Room,
        MemberAdded m => m.Room,
        MemberRemoved m => m.Room,
        RoomStarted m => m.Room,
        HistoryHandOver m => m.Room, // parked in the partition the room's next actor announces its start to
        Presence m => m.Room,
        Replay m => m.Room, // the same partition as the room's deliveries: a replay never overtakes or trails them
        _ => "",
    };

    // Routees answer as the router: a room must see one fan-out target per node.
    private IActorRef PublicRef => Context.Parent.Path.Name == Name ? Context.Parent : Self;

    public static Props Props(LocalConnections connections, MiddlewarePipeline middleware, FanoutLanes lanes, TimeSpan dedupeWindow,
        IChatMirror? mirror = null, RoomRefs? roomRefs = null) =>
        ActorFactory<NodeFanoutActor>.Props(() => new NodeFanoutActor(connections, middleware, lanes, dedupeWindow, mirror, roomRefs));

    private void HandleDeliver(Deliver m)
    {
        // Deliveries come from the room's actor (chat from ActionHero nodes over Redis has no sender).
        if (_roomRefs is not null && !Sender.IsNobody()) LearnRoomActor(m.Payload.Room, Sender);
        if (m.Ticket is not { } ticket)
        {
            Write(m);
            return;
        }
        // A retried say this node delivered before is not written again: its members have it. One ordered again in a new
        // epoch (m.Prior) goes to the members added here since, who do not.
        var deliveredAt = _delivered.Accept(ticket, m.Payload.Room, Environment.TickCount64, ++_stamp, restamp: m.Prior is not null);
        var first = deliveredAt == DeliveredSays.First;
        var senderIsHere = _connections.TryGet(ticket.Key, out var sender);
        if (m.ConfirmTo is null)
        {
            // Only this node's members (if any besides the sender) wait for it: the sender's OK goes into its socket here,
            // before any copy of the message below (same room, same order). A copy acknowledges too (the room that
            // ordered it again may be a new one); a say answered already is not answered twice.
            if (senderIsHere) sender!.Acknowledge(ticket.Id);
            if (first) Write(m);
            else if (m.Prior is not null) WriteToLaterMembers(m, deliveredAt);
            return;
        }
        // Members on other nodes must have it first: the sender's node only delivers and waits for SayConfirmed; every
        // other node delivers (once) and confirms (every time: a copy means its confirmation may have been lost).
        if (first) Write(m);
        else if (m.Prior is not null) WriteToLaterMembers(m, deliveredAt);
        if (senderIsHere) sender!.Acks?.Ordered(m); // where it was ordered, for its retry if the room dies first
        else m.ConfirmTo.Tell(new DeliveryConfirmed(m.Payload.Room, ticket, PublicRef));
    }

    // A say its room ordered again in a new epoch (the old actor crashed) that this node delivered in the old one: the
    // members added here since never got it from this node (they joined, or moved here from a node that had not got it,
    // afterwards); one that moved here after seeing it elsewhere said so with its position (HistoryFanout.SeenAlready).
    // Without this, a member that moved here would miss it in the new epoch without a word (found by the history chaos run).
    private void WriteToLaterMembers(Deliver m, long deliveredAt)
    {
        if (!_rooms.TryGetValue(m.Payload.Room, out var members)) return;
        byte[]? plain = null, positioned = null;
        foreach (var member in members.Values)
        {
            if (member.Stamp <= deliveredAt) continue;
            if (member.Positions && HistoryFanout.SeenAlready(member.SeenBefore, m.Prior)) continue;
            if (_middleware.HasSay)
                _middleware.Deliver(new SayDelivery(member.Connection, m.Payload.Room, ChatPayloadJson.ToJson(m.Payload)));
            else if (member.Positions)
                member.Connection.Transport.Send(positioned ??= ChatPayloadEncoder.EncodePositioned(m.Payload, m.Seq, m.Epoch));
            else
                member.Connection.Transport.Send(plain ??= ChatPayloadEncoder.Encode(m.Payload));
        }
    }

    // The room's live actor, for this node's connections to say to directly (RoomRefs). One dictionary lookup per delivery
    // when nothing changed; a new actor (the room moved or restarted) replaces the old, which is no longer watched.
    private void LearnRoomActor(string room, IActorRef actor)
    {
        if (_roomActors.TryGetValue(room, out var known))
        {
            if (ReferenceEquals(known, actor) || known.Equals(actor)) return;
            Context.Unwatch(known);
            _watchedRooms.Remove(known);
            _roomRefs!.Forget(room, known);
        }
        _roomActors[room] = actor;
        _watchedRooms[actor] = room;
        Context.Watch(actor);
        _roomRefs!.Learn(room, actor);
    }

    // The room's actor stopped (handed over, passivated, its node left): says go through the region again.
    private void HandleRoomActorStopped(Terminated t)
    {
        if (!_watchedRooms.Remove(t.ActorRef, out var room)) return;
        _roomActors.Remove(room);
        _roomRefs!.Forget(room, t.ActorRef);
    }

    // Every node with members of the room has the say: the sender's OK (after its own copy, written on the Deliver).
    private void HandleSayConfirmed(SayConfirmed m)
    {
        if (_connections.TryGet(m.Ticket.Key, out var sender)) sender.Acknowledge(m.Ticket.Id);
    }

    private void Write(Deliver m)
    {
        if (!_rooms.TryGetValue(m.Payload.Room, out var members) || members.Count == 0) return;
        if (_middleware.HasSay)
        {
            // say middleware runs once per recipient, each on its own copy of the payload.
            foreach (var member in members.Values)
                _middleware.Deliver(new SayDelivery(member.Connection, m.Payload.Room, ChatPayloadJson.ToJson(m.Payload)));
            return;
        }
        // Encoded once here. A small room is written right here (one thread hop less per message); a big one goes to the
        // lanes, which write the same bytes to every member on every core.
        var bytes = ChatPayloadEncoder.Encode(m.Payload);
        if (members.HasPositioned) HistoryFanout.Deliver(members, m); // members that opted in to offsets (history)
        Core.NodeCounters.MessagesDelivered.Add(members.Count); // once per message for all its local members
        if (!members.UsesLanes && members.Count > _lanes.InlineMaxMembers) members.UsesLanes = true;
        if (members.UsesLanes)
        {
            _lanes.Post(members.Lanes(_lanes), bytes);
            return;
        }
        // Written now, flushed once per socket after the deliveries queued behind this one (FlushWrites): a member of
        // several busy rooms, or of one room with many senders, gets all of them in one socket write instead of one each.
        foreach (var connection in members.Connections())
            if (connection.Transport.Write(bytes)) _unflushed.Add(connection.Transport);
        if (!_flushQueued)
        {
            _flushQueued = true;
            Self.Tell(FlushWrites.Instance);
        }
    }

    // A partition that restarts or stops leaves nothing unflushed behind.
    protected override void PostStop()
    {
        HandleFlushWrites();
        base.PostStop();
    }

    // Behind every delivery that was queued when the first unflushed write of this round happened: hand them to the sockets.
    private void HandleFlushWrites()
    {
        _flushQueued = false;
        foreach (var transport in _unflushed) transport.Flush(); // a no-op for one flushed already
        _unflushed.Clear();
    }

    /// <summary>The partition's own notice to flush what its inline writes left unflushed.</summary>
    private sealed class FlushWrites : INoSerializationVerificationNeeded
    {
        public static readonly FlushWrites Instance = new();
    }

    // The room's actor restarted somewhere without members: tell it who is here.
    private void HandleRoomStarted(RoomStarted m)
    {
        // A history this node's previous actor of the room parked goes first: it is adopted before the room orders a say.
        if (_parked.Count > 0 && _parked.Take(m.Room, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) is { } handedOver)
            m.RoomActor.Tell(handedOver);
        var rejoin = new List<Rejoin>();
        if (_rooms.TryGetValue(m.Room, out var members))
            foreach (var (id, member) in members.All) rejoin.Add(new Rejoin(id, member.Connection.Actor, member.JoinedAt));
        // An empty answer too: the room waits for every node. The node's fan-out address is the router in front of the
        // partitions (our parent), so the room keeps one target per node.
        m.RoomActor.Tell(new RejoinMembers(m.Room, PublicRef, rejoin));
    }

    private void HandlePresence(Presence m)
    {
        if (!_rooms.TryGetValue(m.Room, out var members) || members.Count == 0) return;
        var bytes = PresenceEncoder.Encode(m);
        if (members.HasPositioned)
            foreach (var connection in members.Positioned())
                if (connection.Id != m.ConnectionId || m.Kind == Presence.Join) connection.Transport.Send(bytes);
        if (!members.UsesLanes)
        {
            foreach (var connection in members.Connections())
                if (connection.Id != m.ConnectionId || m.Kind == Presence.Join) connection.Transport.Send(bytes);
            return;
        }
        // Through the lanes like the room's chat, so a notice never overtakes the room's earlier messages.
        var split = members.Lanes(_lanes);
        if (m.Kind != Presence.Join)
        {
            var lane = _lanes.LaneOf(m.ConnectionId);
            split = (LocalConnection[][])split.Clone();
            split[lane] = Array.FindAll(split[lane], c => c.Id != m.ConnectionId);
        }
        _lanes.Post(split, bytes);
    }

    private void HandleAdded(MemberAdded m)
    {
        // A connection that closed before the room's notice arrived needs no entry (its leave is on the way).
        if (!_connections.TryGet(m.ConnectionId, out var connection)) return;
        if (!_rooms.TryGetValue(m.Room, out var members))
        {
            members = new LocalRoomMembers();
            _rooms.Add(m.Room, members);
        }
        // A member announced again keeps its stamp: it was here for what this node delivered meanwhile.
        var stamp = members.TryGet(m.ConnectionId, out var known) ? known.Stamp : ++_stamp;
        members.Set(m.ConnectionId, new LocalMember(connection, m.JoinedAt, m.Positions, m.SeenBefore, stamp));
        _mirror.MemberJoined(m.Room, m.ConnectionId, m.JoinedAt);
    }

    private void HandleRemoved(MemberRemoved m)
    {
        if (!_rooms.TryGetValue(m.Room, out var members)) return;
        if (members.Remove(m.ConnectionId)) _mirror.MemberLeft(m.Room, m.ConnectionId);
        if (members.Count == 0) _rooms.Remove(m.Room);
    }

    // The key store was unreachable (or restarted empty): write this node's members again; a room with members exists.
    private void HandleResync()
    {
        foreach (var (room, members) in _rooms)
        {
            _ = _mirror.RoomCreatedAsync(room);
            foreach (var (id, member) in members.All) _mirror.MemberJoined(room, id, member.JoinedAt);
        }
    }
}
