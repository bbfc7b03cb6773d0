using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Unit;

/// <summary>Every cross-node message round-trips through the registered serializer, with its fixed manifest.</summary>
public sealed class ChatMessageSerializerSpec : Akka.TestKit.Xunit2.TestKit
{
    public ChatMessageSerializerSpec() : base(TestConfig.Load(), "serializer-spec") { }

    public static IEnumerable<object[]> Messages()
    {
        var payload = new ChatPayload("défaultRoom ☃", "c1", "\"hello \\\"world\\\"\"", 1795560286440);
        yield return new object[] { "P", payload };
        yield return new object[] { "CR", new CreateRoom("r") };
        yield return new object[] { "DR", new DestroyRoom("") };
        yield return new object[] { "CE", new CheckRoomExists("r") };
        yield return new object[] { "CER", new RoomExistsReply("r", true) };
        yield return new object[] { "L", new LeaveRoom("r", "c1") };
        yield return new object[] { "GS", new GetRoomStatus("r") };
        yield return new object[] { "S", new Say(payload, true) };
        yield return new object[] { "S", new Say(payload, false, new SayTicket("c1", 9)) };
        yield return new object[] { "SRF", new SayRefused("r", 9, ChatErrors.RoomNotExist) };
        yield return new object[] { "RR", new RoomReply("r", null) };
        yield return new object[] { "RR", new RoomReply("r", ChatErrors.NotInRoom("r")) };
        yield return new object[] { "D", new Deliver(42, 7, payload) };
        yield return new object[] { "D", new Deliver(42, 7, payload, new SayTicket("server:ab:1", 1)) };
        yield return new object[] { "MA", new MemberAdded("r", "c1", 5) };
        yield return new object[] { "MR", new MemberRemoved("r", "c1") };
        yield return new object[] { "RFR", new RemovedFromRoom("r") };
        yield return new object[] { "EC", new RoomEvents.RoomCreated("r", 3, 1795560286440) };
        yield return new object[] { "ED", new RoomEvents.RoomDestroyed("r", 1795560286441) };
        yield return new object[] { "SM", new ConnectionProtocol.SendMessage("c1", "{\"a\":1}") };
        yield return new object[] { "CRP", new ConnectionProtocol.ConnectionReply("c1", false) };
        yield return new object[] { "CC", new ConnectionProtocol.CloseConnection("c1") };
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Serializer_should_round_trip_message(string manifest, object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ChatMessageSerializer>(serializer);
        Assert.Equal(manifest, Akka.Serialization.Serialization.ManifestFor(serializer, message));
        var bytes = serializer.ToBinary(message);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
        Assert.Equal(message, back);
    }

    [Fact]
    public void A_say_with_a_ticket_should_carry_the_senders_fanout_and_read_old_bytes_without_one()
    {
        var fanout = CreateTestProbe().Ref;
        var say = new Say(new ChatPayload("r", "c1", "\"m\"", 1), false, new SayTicket("c1", 3), fanout);
        var serializer = Sys.Serialization.FindSerializerFor(say);
        Assert.Equal(say, Sys.Serialization.Deserialize(serializer.ToBinary(say), serializer.Identifier, "S"));
        // a node of the previous version writes payload + WantAck only
        var old = serializer.ToBinary(new Say(say.Payload, true));
        var oldBytes = old.AsSpan(0, old.Length - 2).ToArray(); // without the ticket and fan-out flags
        Assert.Equal(new Say(say.Payload, true), Sys.Serialization.Deserialize(oldBytes, serializer.Identifier, "S"));
    }

    [Fact]
    public void A_delivery_to_confirm_and_its_confirmations_should_round_trip_and_a_plain_delivery_keep_its_bytes()
    {
        var room = CreateTestProbe().Ref;
        var fanout = CreateTestProbe().Ref;
        var payload = new ChatPayload("r", "c1", "\"m\"", 1);
        var ticket = new SayTicket("c1", 3);
        var plain = new Deliver(5, 9, payload, ticket);
        var toConfirm = plain with { ConfirmTo = room };
        var serializer = Sys.Serialization.FindSerializerFor(toConfirm);
        foreach (var (manifest, message) in new (string, object)[]
                 {
                     ("D", toConfirm),
                     ("DC", new DeliveryConfirmed("r", ticket, fanout)),
                     ("SC", new SayConfirmed("r", ticket)),
                 })
        {
            Assert.Equal(manifest, Akka.Serialization.Serialization.ManifestFor(serializer, message));
            Assert.Equal(message, Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest));
        }
        // A delivery without a room to confirm to is written as before (nodes of the previous version read it).
        var plainBytes = serializer.ToBinary(plain);
        Assert.Equal(plainBytes, serializer.ToBinary(toConfirm).AsSpan(0, plainBytes.Length).ToArray());
        Assert.Equal(plain, Sys.Serialization.Deserialize(plainBytes, serializer.Identifier, "D"));
    }

    [Fact]
    public void Serializer_should_round_trip_messages_with_actor_refs_and_lists()
    {
        var connection = CreateTestProbe().Ref;
        var fanout = CreateTestProbe().Ref;
        var join = new JoinRoom("r", "c1", connection, fanout, 1795560286440);
        var serializer = Sys.Serialization.FindSerializerFor(join);
        var back = (JoinRoom)Sys.Serialization.Deserialize(serializer.ToBinary(join), serializer.Identifier, "J");
        Assert.Equal(join, back);

        var status = new RoomStatusReply("r", new[] { new RoomMember("a", 1), new RoomMember("b", 2) }, null);
        var statusBack = (RoomStatusReply)Sys.Serialization.Deserialize(serializer.ToBinary(status), serializer.Identifier, "GSR");
        Assert.Equal(status.Room, statusBack.Room);
        Assert.Null(statusBack.Error);
        Assert.Equal(status.Members, statusBack.Members);
    }

    [Fact]
    public void Serializer_should_refuse_unknown_manifest()
    {
        var serializer = Sys.Serialization.FindSerializerForType(typeof(CreateRoom));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() =>
            Sys.Serialization.Deserialize(new byte[] { 1, 65 }, serializer.Identifier, "nope"));
    }
}
