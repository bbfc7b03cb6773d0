using ChatCluster.Messages;
using ChatCluster.Tests.Support;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.History;

/// <summary>The history messages cross nodes through the registered serializer; plain joins keep their old bytes.</summary>
public sealed class HistoryMessageSerializerSpec : Akka.TestKit.Xunit2.TestKit
{
    public HistoryMessageSerializerSpec() : base(TestConfig.Load(), "history-serializer-spec") { }

    private static readonly ChatPayload Payload = new("r ☃", "c1", "\"hi\"", 1795560286440);

    private T RoundTrip<T>(T message, string manifest) where T : notnull
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ChatMessageSerializer>(serializer);
        Assert.Equal(manifest, Akka.Serialization.Serialization.ManifestFor(serializer, message));
        return (T)Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
    }

    public static TheoryData<string, object> Simple => new()
    {
        { "MA", new MemberAdded("r", "c1", 5, Positions: true) },
        { "MA", new MemberAdded("r", "c1", 5) },
        { "MA", new MemberAdded("r", "c1", 5, Positions: true, SeenBefore: new Position(41, 9)) },
        { "S", new Say(Payload, false, new SayTicket("c1", 3), null, new Position(41, 9)) },
        { "D", new Deliver(42, 1, Payload, new SayTicket("c1", 3), null, new Position(41, 9)) },
        { "PRP", new PositionReply("r", 42, 7, null, 0) },
        { "PRP", new PositionReply("r", 42, 7, true, 3) },
        { "PRP", new PositionReply("r", 42, 7, false, 0) },
        { "RH", new ReadHistory("r", "c1", 20, null) },
        { "RH", new ReadHistory("r", "c1", int.MaxValue, new Position(42, 3)) },
    };

    [Theory]
    [MemberData(nameof(Simple))]
    public void History_messages_should_round_trip(string manifest, object message) => Assert.Equal(message, RoundTrip(message, manifest));

    [Fact]
    public void Joins_should_carry_positions_and_keep_the_old_bytes_without_them()
    {
        var join = new JoinRoom("r", "c1", CreateTestProbe().Ref, CreateTestProbe().Ref, 9);
        var serializer = Sys.Serialization.FindSerializerFor(join);
        var plain = serializer.ToBinary(join);
        var positioned = join with { Positions = true, Since = new Position(42, 3) };
        Assert.Equal(positioned, RoundTrip(positioned, "J"));
        Assert.Equal(join, RoundTrip(join, "J"));
        Assert.True(serializer.ToBinary(positioned).Length > plain.Length); // the plain join's bytes are what older nodes wrote
        Assert.Equal(plain.Length, serializer.ToBinary(join with { Positions = false }).Length);
    }

    [Fact]
    public void Replays_and_history_replies_should_round_trip_their_entries()
    {
        var entries = new[] { new HistoryEntry(4, Payload, 100), new HistoryEntry(5, Payload with { MessageJson = "\"yo\"" }, 101) };
        var asker = CreateTestProbe().Ref;
        var answer = new PositionReply("r", 42, 5, true, 2);
        var replay = RoundTrip(new Replay("r", "c1", 42, entries, answer, asker), "RPL");
        Assert.Equal(("r", "c1", 42L, answer, asker), (replay.Room, replay.ConnectionId, replay.Epoch, replay.Reply, replay.ReplyTo));
        Assert.Equal(entries, replay.Entries);

        var reply = RoundTrip(new HistoryReply("r", 42, 5, entries, true, null), "HR");
        Assert.Equal(("r", 42L, 5L, (bool?)true, (string?)null), (reply.Room, reply.Epoch, reply.Offset, reply.Recovered, reply.Error));
        Assert.Equal(entries, reply.Entries);

        var refused = RoundTrip(new HistoryReply("r", 42, 5, Array.Empty<HistoryEntry>(), null, ChatErrors.NotInRoom("r")), "HR");
        Assert.Equal(ChatErrors.NotInRoom("r"), refused.Error);
        Assert.Empty(refused.Entries);
    }

    [Fact]
    public void Hand_overs_should_carry_the_ordered_says_with_their_tickets_and_keep_the_old_bytes_without_them()
    {
        var entries = new[] { new HistoryEntry(4, Payload, 100), new HistoryEntry(5, Payload, 101) };
        var ordered = new[] { new HistoryEntry(5, Payload, 101, new SayTicket("c1", 8)), new HistoryEntry(2, Payload, 90, new SayTicket("c2", 1)) };
        var handOver = RoundTrip(new HistoryHandOver("r", 42, 5, entries, ordered), "HHO");
        Assert.Equal(("r", 42L, 5L), (handOver.Room, handOver.Epoch, handOver.Seq));
        Assert.Equal(entries, handOver.Entries);
        Assert.Equal(ordered, handOver.Ordered);

        var serializer = Sys.Serialization.FindSerializerFor(handOver);
        var plain = new HistoryHandOver("r", 42, 5, entries);
        Assert.Null(RoundTrip(plain, "HHO").Ordered);
        Assert.Equal(serializer.ToBinary(plain).Length, serializer.ToBinary(plain with { Ordered = Array.Empty<HistoryEntry>() }).Length);
    }
}
