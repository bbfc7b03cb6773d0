using ChatCluster.Messages;
using ChatCluster.Node.Rooms;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Unit;

/// <summary>
/// When a room may let the sender's node acknowledge a say that members on other nodes must have first (issue 12: a
/// partition that begins just after the room ordered a say must not leave an OK without the other side's delivery).
/// </summary>
public sealed class SayConfirmationsTests
{
    private const long Bound = 30_000;
    private static readonly SayTicket Ticket = new("c1", 7);

    private static Deliver DeliverOf(SayTicket ticket) => new(1, 1, new ChatPayload("r", ticket.Key, "\"m\"", 1), ticket);

    public static TheoryData<string, string[], string, string[]?> WaitCases => new()
    {
        { "one node: nothing to wait for", new[] { "a" }, "a", null },
        { "every member on the sender's node: nothing to wait for", new[] { "a" }, "a", null },
        { "no member at all: nothing to wait for", Array.Empty<string>(), "a", null },
        { "a member on another node", new[] { "a", "b" }, "a", new[] { "b" } },
        { "the sender's node holds no member", new[] { "b", "c" }, "a", new[] { "b", "c" } },
    };

    [Theory]
    [MemberData(nameof(WaitCases))]
    public void Waits_for_every_node_with_members_but_the_senders(string name, string[] memberNodes, string senderNode, string[]? expected)
    {
        _ = name;
        var wait = SayConfirmations<string>.NodesToWaitFor(memberNodes, senderNode);
        Assert.Equal(expected, wait?.Order(StringComparer.Ordinal).ToArray());
    }

    // Steps: "confirm X" (node X confirms the ticket), "confirm-other X" (X confirms another say of the same sender),
    // "members X,Y" (only X and Y still hold members), "expire T" (T ms after the order). Expected: the index of the
    // step after which the say is confirmed (-1: never).
    public static TheoryData<string, string[], string[], int> StepCases => new()
    {
        { "confirmed when the one other node confirms", new[] { "b" }, new[] { "confirm b" }, 0 },
        { "confirmed only after both other nodes", new[] { "b", "c" }, new[] { "confirm b", "confirm c" }, 1 },
        { "a node's repeated confirmation counts once", new[] { "b", "c" }, new[] { "confirm b", "confirm b", "confirm c" }, 2 },
        { "a node not waited for changes nothing", new[] { "b" }, new[] { "confirm a", "confirm x", "confirm b" }, 2 },
        { "a confirmation of another say changes nothing", new[] { "b" }, new[] { "confirm-other b", "confirm b" }, 1 },
        { "the node not yet confirmed lost its members", new[] { "b", "c" }, new[] { "confirm b", "members a,b" }, 1 },
        { "every waited-for node lost its members", new[] { "b", "c" }, new[] { "members a" }, 0 },
        { "members elsewhere leave: still waiting", new[] { "b", "c" }, new[] { "members b,c", "confirm c", "confirm b" }, 2 },
        { "forgotten after the sender's retry bound", new[] { "b" }, new[] { "expire 30000", "confirm b" }, -1 },
        { "kept within the sender's retry bound", new[] { "b" }, new[] { "expire 29999", "confirm b" }, 1 },
    };

    [Theory]
    [MemberData(nameof(StepCases))]
    public void Confirms_once_every_waited_for_node_has_the_say(string name, string[] waitFor, string[] steps, int confirmedAfter)
    {
        _ = name;
        var members = new HashSet<string>(waitFor.Append("a"));
        var confirmations = new SayConfirmations<string>();
        confirmations.Add(DeliverOf(Ticket), waitFor.ToHashSet(), "a", 0);
        var confirmedAt = -1;
        for (var i = 0; i < steps.Length; i++)
        {
            var (verb, arg) = (steps[i].Split(' ')[0], steps[i].Split(' ')[1]);
            var done = verb switch
            {
                "confirm" => confirmations.Confirm(Ticket, arg) is not null,
                "confirm-other" => confirmations.Confirm(Ticket with { Id = Ticket.Id + 1 }, arg) is not null,
                "members" => Members(arg),
                "expire" => Expire(long.Parse(arg)),
                _ => throw new ArgumentException(steps[i]),
            };
            if (!done) continue;
            Assert.Equal(-1, confirmedAt); // confirmed once
            confirmedAt = i;
        }
        Assert.Equal(confirmedAfter, confirmedAt);
        Assert.Equal(0, confirmations.Count); // nothing left behind: confirmed or forgotten (or one pending when never)
        return;

        bool Members(string list)
        {
            members = list.Split(',').ToHashSet();
            var done = confirmations.Retain(members.Contains);
            Assert.All(done, p => Assert.Equal("a", p.SenderNode));
            return done.Count == 1;
        }

        bool Expire(long at)
        {
            confirmations.Expire(at, Bound);
            return false;
        }
    }

    [Fact]
    public void A_retry_finds_its_say_and_a_newer_say_of_the_sender_replaces_it()
    {
        var confirmations = new SayConfirmations<string>();
        var first = DeliverOf(Ticket);
        confirmations.Add(first, new HashSet<string> { "b" }, "a", 0);
        Assert.Same(first, confirmations.Find(Ticket)!.Deliver); // the same delivery is sent again (same epoch and seq)
        Assert.Null(confirmations.Find(Ticket with { Id = 6 }));

        var next = Ticket with { Id = 8 };
        confirmations.Add(DeliverOf(next), new HashSet<string> { "b" }, "a", 10);
        Assert.Equal(1, confirmations.Count); // one say in flight per sender: bounded by the room's senders
        Assert.Null(confirmations.Find(Ticket));
        Assert.NotNull(confirmations.Confirm(next, "b"));
    }

    [Fact]
    public void Senders_are_independent()
    {
        var confirmations = new SayConfirmations<string>();
        var other = new SayTicket("c2", 7);
        confirmations.Add(DeliverOf(Ticket), new HashSet<string> { "b" }, "a", 0);
        confirmations.Add(DeliverOf(other), new HashSet<string> { "b" }, "c", 0);
        Assert.Equal("c", confirmations.Confirm(other, "b")!.SenderNode);
        Assert.NotNull(confirmations.Find(Ticket));
    }
}
