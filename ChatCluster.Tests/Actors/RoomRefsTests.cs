using System.Text.Json.Nodes;
using Akka.Actor;
using ChatCluster.Node.Rooms;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Actors;

/// <summary>
/// A node's says go straight to the room's actor it learned from the room's deliveries (<see cref="RoomRefs"/>); the
/// cache must forget an actor that stopped, or the next say is lost to it and waits for a retry.
/// </summary>
public sealed class RoomRefsTests : IClassFixture<RoomRefsTests.SlowRetryNode>
{
    /// <summary>A say lost to a stopped actor would be retried only after a minute: a say answered within seconds
    /// went to the room's live actor, not to a stale one.</summary>
    public sealed class SlowRetryNode : NodeFixture
    {
        protected override IReadOnlyList<string> Overrides => new[]
        {
            "chatcluster.rooms.say-retry-interval = 60s",
            "chatcluster.rooms.say-retry-timeout = 120s",
        };
    }

    private readonly SlowRetryNode _node;

    public RoomRefsTests(SlowRetryNode node) => _node = node;

    public enum ForgetCase { SameActor, OlderActorAfterNewer, NeverLearned }

    // Forgetting is by actor: a Terminated of the room's old actor that arrives after its new one was learned keeps the new one.
    [Theory]
    [InlineData(ForgetCase.SameActor, false)]
    [InlineData(ForgetCase.OlderActorAfterNewer, true)]
    [InlineData(ForgetCase.NeverLearned, false)]
    public void Forget_should_remove_only_the_actor_it_names(ForgetCase forgetCase, bool stillKnown)
    {
        var refs = new RoomRefs();
        var old = new DummyRef("old");
        var next = new DummyRef("next");
        switch (forgetCase)
        {
            case ForgetCase.SameActor:
                refs.Learn("r", old);
                refs.Forget("r", old);
                break;
            case ForgetCase.OlderActorAfterNewer:
                refs.Learn("r", old);
                refs.Learn("r", next);
                refs.Forget("r", old);
                break;
            case ForgetCase.NeverLearned:
                refs.Forget("r", old);
                break;
        }
        Assert.Equal(stillKnown, refs.TryGet("r", out var known));
        if (stillKnown) Assert.Same(next, known);
    }

    private static bool IsResponse(JsonObject m) => (string?)m["context"] == "response";

    [Fact]
    public async Task A_say_after_the_rooms_actor_stopped_should_reach_its_next_actor_at_once()
    {
        var room = await _node.NewRoomAsync("refs");
        await using var sender = await (await _node.Tcp()).Welcomed();
        await using var member = await (await _node.Tcp()).Welcomed();
        foreach (var c in new[] { sender, member })
            Assert.Equal("OK", (string?)(await c.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room}"))["status"]);
        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"say {room} one"))["status"]);
        await member.ReadUntilAsync(m => (string?)m["message"] == "one");

        var refs = _node.Node.Services.RoomRefs!;
        IActorRef? first = null;
        await Eventually.TrueAsync(() => refs.TryGet(room, out first), "the node learned the room's actor from its delivery");
        first!.Tell(PoisonPill.Instance); // the room's actor stops (as in a hand-over or a passivation)
        await Eventually.TrueAsync(() => !refs.TryGet(room, out var known) || !known.Equals(first), "the stopped actor is forgotten");

        // Through the region: a new actor orders it, well before the 60 s retry would.
        var reply = await sender.ReadUntilAsync(IsResponse, timeout: TimeSpan.FromSeconds(20), sendFirst: $"say {room} two");
        Assert.Equal("OK", (string?)reply["status"]);
        await member.ReadUntilAsync(m => (string?)m["message"] == "two", timeout: TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(() => refs.TryGet(room, out var known) && !known.Equals(first), "the room's new actor is learned");
    }

    private sealed class DummyRef : MinimalActorRef
    {
        public DummyRef(string name) => Path = new RootActorPath(new Address("akka", "dummy")) / name;

        public override ActorPath Path { get; }

        public override IActorRefProvider Provider => throw new NotSupportedException();
    }
}
