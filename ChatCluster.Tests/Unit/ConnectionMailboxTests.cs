using Akka.Actor;
using Akka.Dispatch;
using ChatCluster.Node.Connections;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Unit;

/// <summary>The connection actors' mailbox queue: order, the stash's put-back-in-front, clean-up, concurrent writers; and
/// that the node's configuration gives connection actors this mailbox.</summary>
public sealed class ConnectionMailboxTests
{
    private static Envelope E(object message) => new(message, ActorRefs.NoSender);

    private static List<object> Drain(ConnectionMailbox.Queue queue)
    {
        var all = new List<object>();
        while (queue.TryDequeue(out var envelope)) all.Add(envelope.Message);
        return all;
    }

    [Fact]
    public void Keeps_arrival_order_across_takes_and_adds()
    {
        var queue = new ConnectionMailbox.Queue();
        for (var i = 0; i < 3; i++) queue.Enqueue(ActorRefs.Nobody, E(i));
        Assert.True(queue.TryDequeue(out var first));
        Assert.True(queue.TryDequeue(out var second));
        Assert.Equal(new object[] { 0, 1 }, new[] { first.Message, second.Message });
        for (var i = 3; i < 40; i++) queue.Enqueue(ActorRefs.Nobody, E(i));
        Assert.Equal(38, queue.Count);
        Assert.Equal(Enumerable.Range(2, 38).Cast<object>(), Drain(queue));
        Assert.False(queue.HasMessages);
        Assert.False(queue.TryDequeue(out _));
    }

    [Fact]
    public void Puts_messages_back_in_front_as_the_stash_does_when_it_unstashes()
    {
        var queue = new ConnectionMailbox.Queue();
        queue.EnqueueFirst(E("only")); // on an empty queue
        Assert.Equal(new object[] { "only" }, Drain(queue));

        queue.Enqueue(ActorRefs.Nobody, E("a"));
        queue.Enqueue(ActorRefs.Nobody, E("b"));
        queue.EnqueueFirst(E("y")); // the stash prepends its messages last to first
        queue.EnqueueFirst(E("x"));
        queue.Enqueue(ActorRefs.Nobody, E("c"));
        Assert.Equal(4 + 1, queue.Count);
        Assert.True(queue.TryDequeue(out var x));
        queue.EnqueueFirst(E("x again")); // put back after a take, ahead of the rest put back before
        Assert.Equal(new object[] { "x", "x again", "y", "a", "b", "c" }, new[] { x.Message }.Concat(Drain(queue)));
    }

    [Fact]
    public void Works_again_after_a_burst_has_drained()
    {
        var queue = new ConnectionMailbox.Queue();
        for (var i = 0; i < 500; i++) queue.Enqueue(ActorRefs.Nobody, E(i));
        Assert.Equal(500, Drain(queue).Count);
        queue.Enqueue(ActorRefs.Nobody, E("after"));
        queue.EnqueueFirst(E("before"));
        Assert.Equal(new object[] { "before", "after" }, Drain(queue));
    }

    [Fact]
    public void Clean_up_hands_what_is_left_to_dead_letters_in_order()
    {
        var queue = new ConnectionMailbox.Queue();
        var deadLetters = new ConnectionMailbox.Queue();
        queue.Enqueue(ActorRefs.Nobody, E(1));
        queue.Enqueue(ActorRefs.Nobody, E(2));
        queue.CleanUp(ActorRefs.Nobody, deadLetters);
        Assert.False(queue.HasMessages);
        Assert.Equal(new object[] { 1, 2 }, Drain(deadLetters));
    }

    [Fact]
    public async Task Concurrent_writers_lose_nothing_and_keep_their_own_order()
    {
        const int producers = 4, perProducer = 20_000;
        var queue = new ConnectionMailbox.Queue();
        var writers = Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < perProducer; i++) queue.Enqueue(ActorRefs.Nobody, E((p, i)));
        })).ToArray();
        var next = new int[producers];
        var received = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (received < producers * perProducer && DateTime.UtcNow < deadline)
        {
            if (!queue.TryDequeue(out var envelope))
            {
                await Task.Yield();
                continue;
            }
            var (p, i) = ((int, int))envelope.Message;
            Assert.Equal(next[p], i);
            next[p]++;
            received++;
        }
        await Task.WhenAll(writers);
        Assert.Equal(producers * perProducer, received);
        Assert.False(queue.HasMessages);
    }

    [Fact]
    public void The_node_configuration_gives_connection_actors_this_mailbox()
    {
        using var system = ActorSystem.Create("mailbox-spec", TestConfig.Load());
        // Props only: the actor is never created, so its arguments are not needed.
        var props = ConnectionActor.Props("c1", null!, null!, null!);
        var mailbox = system.Mailboxes.GetMailboxType(props, null); // also checks the stash's deque requirement
        Assert.IsType<ConnectionMailbox>(mailbox);
        Assert.IsType<ConnectionMailbox.Queue>(mailbox.Create(ActorRefs.Nobody, system));
    }
}
