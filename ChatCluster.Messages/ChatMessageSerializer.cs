using Akka.Actor;
using Akka.Serialization;
using static ChatCluster.Messages.RoomProtocol;
using static ChatCluster.Messages.RoomEvents;
using static ChatCluster.Messages.ConnectionProtocol;

namespace ChatCluster.Messages;

/// <summary>
/// Compact binary serializer for every <see cref="IChatMessage"/>. Manifests are short and fixed:
/// once shipped a manifest never changes meaning; new fields are appended at the end and read only
/// when present (extend, never reorder).
/// </summary>
public sealed class ChatMessageSerializer : SerializerWithStringManifest
{
    /// <summary>Registered in hocon/base.conf; must not collide with Akka's ids (below 100 are reserved).</summary>
    public const int SerializerId = 4711;

    public ChatMessageSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        ChatPayload => "P",
        CreateRoom => "CR",
        DestroyRoom => "DR",
        CheckRoomExists => "CE",
        RoomExistsReply => "CER",
        JoinRoom => "J",
        LeaveRoom => "L",
        GetRoomStatus => "GS",
        RoomStatusReply => "GSR",
        Say => "S",
        RoomReply => "RR",
        Deliver => "D",
        MemberAdded => "MA",
        MemberRemoved => "MR",
        RemovedFromRoom => "RFR",
        RoomCreated => "EC",
        RoomDestroyed => "ED",
        SendMessage => "SM",
        ConnectionReply => "CRP",
        SetProperty => "SP",
        RoomStarted => "RS",
        RejoinMembers => "RJ",
        Presence => "PR",
        CloseConnection => "CC",
        SayRefused => "SRF",
        DeliveryConfirmed => "DC",
        SayConfirmed => "SC",
        Replay => "RPL",
        PositionReply => "PRP",
        ReadHistory => "RH",
        HistoryReply => "HR",
        HistoryHandOver => "HHO",
        _ => throw new ArgumentException($"ChatMessageSerializer cannot serialize {o.GetType().FullName}", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        using var ms = new MemoryStream(64);
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            Write(w, obj);
        }
        return ms.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), System.Text.Encoding.UTF8);
        return manifest switch
        {
            "P" => ReadPayload(r),
            "CR" => new CreateRoom(r.ReadString()),
            "DR" => new DestroyRoom(r.ReadString()),
            "CE" => new CheckRoomExists(r.ReadString()),
            "CER" => new RoomExistsReply(r.ReadString(), r.ReadBoolean()),
            "J" => ReadJoin(r),
            "L" => new LeaveRoom(r.ReadString(), r.ReadString()),
            "GS" => new GetRoomStatus(r.ReadString()),
            "GSR" => ReadStatus(r),
            "S" => ReadSay(r),
            "RR" => new RoomReply(r.ReadString(), ReadNullable(r)),
            "D" => ReadDeliver(r),
            "MA" => new MemberAdded(r.ReadString(), r.ReadString(), r.ReadInt64(), More(r) && r.ReadBoolean(), More(r) ? ReadPosition(r) : null),
            "MR" => new MemberRemoved(r.ReadString(), r.ReadString()),
            "RFR" => new RemovedFromRoom(r.ReadString()),
            "EC" => new RoomCreated(r.ReadString(), r.ReadInt64(), r.ReadInt64()),
            "ED" => new RoomDestroyed(r.ReadString(), r.ReadInt64()),
            "SM" => new SendMessage(r.ReadString(), r.ReadString()),
            "CRP" => new ConnectionReply(r.ReadString(), r.ReadBoolean()),
            "SP" => new SetProperty(r.ReadString(), r.ReadString(), r.ReadString()),
            "RS" => new RoomStarted(r.ReadString(), ReadRef(r)),
            "RJ" => ReadRejoin(r),
            "PR" => new Presence(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt64()),
            "CC" => new CloseConnection(r.ReadString()),
            "SRF" => new SayRefused(r.ReadString(), r.ReadInt64(), r.ReadString()),
            "DC" => new DeliveryConfirmed(r.ReadString(), ReadTicket(r)!, ReadRef(r)),
            "SC" => new SayConfirmed(r.ReadString(), ReadTicket(r)!),
            "RPL" => new Replay(r.ReadString(), r.ReadString(), r.ReadInt64(), ReadEntries(r),
                r.ReadBoolean() ? ReadPositionReply(r) : null, r.ReadBoolean() ? ReadRef(r) : null),
            "PRP" => ReadPositionReply(r),
            "RH" => new ReadHistory(r.ReadString(), r.ReadString(), r.ReadInt32(), ReadPosition(r)),
            "HHO" => new HistoryHandOver(r.ReadString(), r.ReadInt64(), r.ReadInt64(), ReadEntries(r), More(r) ? ReadTicketedEntries(r) : null),
            "HR" => new HistoryReply(r.ReadString(), r.ReadInt64(), r.ReadInt64(), ReadEntries(r), ReadNullableBool(r), ReadNullable(r)),
            _ => throw new System.Runtime.Serialization.SerializationException($"ChatMessageSerializer: unknown manifest [{manifest}]"),
        };
    }

    private void Write(BinaryWriter w, object obj)
    {
        switch (obj)
        {
            case ChatPayload p: WritePayload(w, p); break;
            case CreateRoom m: w.Write(m.Room); break;
            case DestroyRoom m: w.Write(m.Room); break;
            case CheckRoomExists m: w.Write(m.Room); break;
            case RoomExistsReply m: w.Write(m.Room); w.Write(m.Exists); break;
            case JoinRoom m:
                w.Write(m.Room); w.Write(m.ConnectionId); WriteRef(w, m.Connection); WriteRef(w, m.NodeFanout); w.Write(m.JoinedAt);
                // Appended (history): written only when used, so a plain join stays byte for byte what older nodes read.
                if (m.Positions || m.Since is not null) { w.Write(m.Positions); WritePosition(w, m.Since); }
                break;
            case LeaveRoom m: w.Write(m.Room); w.Write(m.ConnectionId); break;
            case GetRoomStatus m: w.Write(m.Room); break;
            case RoomStatusReply m:
                w.Write(m.Room);
                WriteNullable(w, m.Error);
                w.Write(m.Members.Count);
                foreach (var member in m.Members) { w.Write(member.ConnectionId); w.Write(member.JoinedAt); }
                break;
            case Say m:
                WritePayload(w, m.Payload); w.Write(m.WantAck); WriteTicket(w, m.Ticket);
                w.Write(m.AckTo is not null);
                if (m.AckTo is not null) WriteRef(w, m.AckTo);
                if (m.Prior is not null) WritePosition(w, m.Prior);
                break;
            case RoomReply m: w.Write(m.Room); WriteNullable(w, m.Error); break;
            case Deliver m:
                w.Write(m.Epoch); w.Write(m.Seq); WritePayload(w, m.Payload); WriteTicket(w, m.Ticket);
                // Written only when set: a delivery that needs no confirmation keeps its bytes of before.
                if (m.ConfirmTo is not null || m.Prior is not null)
                {
                    w.Write(m.ConfirmTo is not null);
                    if (m.ConfirmTo is not null) WriteRef(w, m.ConfirmTo);
                }
                if (m.Prior is not null) WritePosition(w, m.Prior);
                break;
            case MemberAdded m:
                w.Write(m.Room); w.Write(m.ConnectionId); w.Write(m.JoinedAt);
                if (m.Positions || m.SeenBefore is not null) w.Write(m.Positions);
                if (m.SeenBefore is not null) WritePosition(w, m.SeenBefore);
                break;
            case MemberRemoved m: w.Write(m.Room); w.Write(m.ConnectionId); break;
            case RemovedFromRoom m: w.Write(m.Room); break;
            case RoomCreated m: w.Write(m.Room); w.Write(m.Epoch); w.Write(m.CreatedAt); break;
            case RoomDestroyed m: w.Write(m.Room); w.Write(m.DestroyedAt); break;
            case SendMessage m: w.Write(m.ConnectionId); w.Write(m.MessageJson); break;
            case ConnectionReply m: w.Write(m.ConnectionId); w.Write(m.Done); break;
            case SetProperty m: w.Write(m.ConnectionId); w.Write(m.Key); w.Write(m.ValueJson); break;
            case RoomStarted m: w.Write(m.Room); WriteRef(w, m.RoomActor); break;
            case RejoinMembers m:
                w.Write(m.Room);
                WriteRef(w, m.NodeFanout);
                w.Write(m.Members.Count);
                foreach (var member in m.Members) { w.Write(member.ConnectionId); WriteRef(w, member.Connection); w.Write(member.JoinedAt); }
                break;
            case Presence m: w.Write(m.Room); w.Write(m.Kind); w.Write(m.ConnectionId); w.Write(m.At); break;
            case CloseConnection m: w.Write(m.ConnectionId); break;
            case SayRefused m: w.Write(m.Room); w.Write(m.SayId); w.Write(m.Error); break;
            case DeliveryConfirmed m: w.Write(m.Room); WriteTicket(w, m.Ticket); WriteRef(w, m.NodeFanout); break;
            case SayConfirmed m: w.Write(m.Room); WriteTicket(w, m.Ticket); break;
            case Replay m:
                w.Write(m.Room); w.Write(m.ConnectionId); w.Write(m.Epoch); WriteEntries(w, m.Entries);
                w.Write(m.Reply is not null);
                if (m.Reply is not null) WritePositionReply(w, m.Reply);
                w.Write(m.ReplyTo is not null);
                if (m.ReplyTo is not null) WriteRef(w, m.ReplyTo);
                break;
            case PositionReply m: WritePositionReply(w, m); break;
            case ReadHistory m: w.Write(m.Room); w.Write(m.ConnectionId); w.Write(m.Limit); WritePosition(w, m.Since); break;
            case HistoryHandOver m:
                w.Write(m.Room); w.Write(m.Epoch); w.Write(m.Seq); WriteEntries(w, m.Entries);
                if (m.Ordered is { Count: > 0 }) WriteTicketedEntries(w, m.Ordered);
                break;
            case HistoryReply m:
                w.Write(m.Room); w.Write(m.Epoch); w.Write(m.Offset); WriteEntries(w, m.Entries); WriteNullableBool(w, m.Recovered);
                WriteNullable(w, m.Error);
                break;
            default: throw new ArgumentException($"ChatMessageSerializer cannot serialize {obj.GetType().FullName}", nameof(obj));
        }
    }

    private static void WritePayload(BinaryWriter w, ChatPayload p)
    {
        w.Write(p.Room); w.Write(p.From); w.Write(p.MessageJson); w.Write(p.SentAt);
    }

    private static ChatPayload ReadPayload(BinaryReader r) =>
        new(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt64());

    // Appended fields: a message from a node that does not write them ends before them.
    private static bool More(BinaryReader r) => r.BaseStream.Position < r.BaseStream.Length;

    private static void WriteTicket(BinaryWriter w, SayTicket? t)
    {
        w.Write(t is not null);
        if (t is null) return;
        w.Write(t.Key);
        w.Write(t.Id);
    }

    private static SayTicket? ReadTicket(BinaryReader r) =>
        More(r) && r.ReadBoolean() ? new SayTicket(r.ReadString(), r.ReadInt64()) : null;

    private Deliver ReadDeliver(BinaryReader r)
    {
        var epoch = r.ReadInt64();
        var seq = r.ReadInt64();
        var payload = ReadPayload(r);
        var ticket = ReadTicket(r);
        var confirmTo = More(r) && r.ReadBoolean() ? ReadRef(r) : null;
        var prior = More(r) ? ReadPosition(r) : null;
        return new Deliver(epoch, seq, payload, ticket, confirmTo, prior);
    }

    private Say ReadSay(BinaryReader r)
    {
        var payload = ReadPayload(r);
        var wantAck = r.ReadBoolean();
        var ticket = ReadTicket(r);
        var ackTo = More(r) && r.ReadBoolean() ? ReadRef(r) : null;
        var prior = More(r) ? ReadPosition(r) : null;
        return new Say(payload, wantAck, ticket, ackTo, prior);
    }

    private static RoomStatusReply ReadStatus(BinaryReader r)
    {
        var room = r.ReadString();
        var error = ReadNullable(r);
        var count = r.ReadInt32();
        var members = new RoomMember[count];
        for (var i = 0; i < count; i++) members[i] = new RoomMember(r.ReadString(), r.ReadInt64());
        return new RoomStatusReply(room, members, error);
    }

    private RejoinMembers ReadRejoin(BinaryReader r)
    {
        var room = r.ReadString();
        var fanout = ReadRef(r);
        var count = r.ReadInt32();
        var members = new Rejoin[count];
        for (var i = 0; i < count; i++) members[i] = new Rejoin(r.ReadString(), ReadRef(r), r.ReadInt64());
        return new RejoinMembers(room, fanout, members);
    }

    private JoinRoom ReadJoin(BinaryReader r)
    {
        var join = new JoinRoom(r.ReadString(), r.ReadString(), ReadRef(r), ReadRef(r), r.ReadInt64());
        return More(r) ? join with { Positions = r.ReadBoolean(), Since = ReadPosition(r) } : join;
    }

    private static void WritePosition(BinaryWriter w, Position? p)
    {
        w.Write(p is not null);
        if (p is null) return;
        w.Write(p.Epoch);
        w.Write(p.Offset);
    }

    private static Position? ReadPosition(BinaryReader r) => r.ReadBoolean() ? new Position(r.ReadInt64(), r.ReadInt64()) : null;

    private static void WriteEntries(BinaryWriter w, IReadOnlyList<HistoryEntry> entries)
    {
        w.Write(entries.Count);
        foreach (var e in entries) { w.Write(e.Offset); WritePayload(w, e.Payload); w.Write(e.At); }
    }

    private static HistoryEntry[] ReadEntries(BinaryReader r)
    {
        var count = r.ReadInt32();
        var entries = new HistoryEntry[count];
        for (var i = 0; i < count; i++) entries[i] = new HistoryEntry(r.ReadInt64(), ReadPayload(r), r.ReadInt64());
        return entries;
    }

    // Entries with the say each came from (a hand-over's ordered says); a ticket is always there, so no flag per entry.
    private static void WriteTicketedEntries(BinaryWriter w, IReadOnlyList<HistoryEntry> entries)
    {
        w.Write(entries.Count);
        foreach (var e in entries) { w.Write(e.Offset); WritePayload(w, e.Payload); w.Write(e.At); w.Write(e.Ticket!.Key); w.Write(e.Ticket.Id); }
    }

    private static HistoryEntry[] ReadTicketedEntries(BinaryReader r)
    {
        var count = r.ReadInt32();
        var entries = new HistoryEntry[count];
        for (var i = 0; i < count; i++)
            entries[i] = new HistoryEntry(r.ReadInt64(), ReadPayload(r), r.ReadInt64(), new SayTicket(r.ReadString(), r.ReadInt64()));
        return entries;
    }

    private static void WritePositionReply(BinaryWriter w, PositionReply m)
    {
        w.Write(m.Room); w.Write(m.Epoch); w.Write(m.Offset); WriteNullableBool(w, m.Recovered); w.Write(m.Replayed);
    }

    private static PositionReply ReadPositionReply(BinaryReader r) =>
        new(r.ReadString(), r.ReadInt64(), r.ReadInt64(), ReadNullableBool(r), r.ReadInt32());

    private static void WriteNullableBool(BinaryWriter w, bool? b) => w.Write(b switch { null => (byte)0, false => (byte)1, true => (byte)2 });

    private static bool? ReadNullableBool(BinaryReader r) => r.ReadByte() switch { 0 => null, 1 => false, _ => true };

    private static void WriteNullable(BinaryWriter w, string? s)
    {
        w.Write(s is not null);
        if (s is not null) w.Write(s);
    }

    private static string? ReadNullable(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static void WriteRef(BinaryWriter w, IActorRef actorRef) =>
        w.Write(Akka.Serialization.Serialization.SerializedActorPath(actorRef));

    private IActorRef ReadRef(BinaryReader r) => system.Provider.ResolveActorRef(r.ReadString());
}
