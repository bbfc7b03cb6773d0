using ChatCluster.Messages;
using ChatCluster.Tests.Support;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Unit;

/// <summary>
/// Every message type that crosses nodes has a round trip through the registered serializer somewhere in the suite:
/// the manifests that had none (SP, RS, RJ, PR) here, and a check that no <see cref="IChatMessage"/> type is left
/// without a case (a new message must bring its round trip).
/// </summary>
public sealed class SerializerCoverageTests : Akka.TestKit.Xunit2.TestKit
{
    public SerializerCoverageTests() : base(TestConfig.Load(), "serializer-coverage") { }

    // Types whose round trip needs actor refs or list comparison, tested by a dedicated fact (here or in ChatMessageSerializerSpec).
    private static readonly Type[] CoveredByFacts =
    {
        typeof(JoinRoom), typeof(RoomStatusReply), typeof(RoomStarted), typeof(RejoinMembers), typeof(DeliveryConfirmed), typeof(SayConfirmed),
        typeof(Replay), typeof(PositionReply), typeof(ReadHistory), typeof(HistoryReply), typeof(HistoryHandOver),
    };

    private T RoundTrip<T>(T message, string manifest) where T : notnull
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ChatMessageSerializer>(serializer);
        Assert.Equal(manifest, Akka.Serialization.Serialization.ManifestFor(serializer, message));
        return (T)Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
    }

    [Fact]
    public void SetProperty_should_round_trip()
    {
        var m = new ConnectionProtocol.SetProperty("c1", "nick ☃", "{\"a\":[1,\"x\"]}");
        Assert.Equal(m, RoundTrip(m, "SP"));
    }

    [Theory]
    [InlineData(Presence.Join)]
    [InlineData(Presence.Leave)]
    public void Presence_should_round_trip(string kind)
    {
        var m = new Presence("défaultRoom", kind, "c1", 1795560286440);
        Assert.Equal(m, RoundTrip(m, "PR"));
    }

    [Fact]
    public void RoomStarted_should_round_trip_with_the_room_actor()
    {
        var m = new RoomStarted("r", CreateTestProbe().Ref);
        Assert.Equal(m, RoundTrip(m, "RS"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void RejoinMembers_should_round_trip_with_every_member(int count)
    {
        var members = Enumerable.Range(0, count).Select(i => new Rejoin("c" + i, CreateTestProbe().Ref, 1000 + i)).ToList();
        var m = new RejoinMembers("r", CreateTestProbe().Ref, members);
        var back = RoundTrip(m, "RJ");
        Assert.Equal(m.Room, back.Room);
        Assert.Equal(m.NodeFanout, back.NodeFanout);
        Assert.Equal(members, back.Members);
    }

    [Fact]
    public void Every_cross_node_message_type_should_have_a_round_trip_case()
    {
        var covered = ChatMessageSerializerSpec.Messages().Select(c => c[1].GetType()).Concat(CoveredByFacts)
            .Concat(new[] { typeof(ConnectionProtocol.SetProperty), typeof(Presence) }).ToHashSet();
        var all = typeof(IChatMessage).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IChatMessage).IsAssignableFrom(t)).ToList();
        Assert.NotEmpty(all);
        var missing = all.Where(t => !covered.Contains(t)).Select(t => t.FullName).OrderBy(n => n).ToList();
        Assert.True(missing.Count == 0, "no serializer round trip for: " + string.Join(", ", missing));
    }
}
