using ChatCluster.Messages;
using ChatCluster.Node.Rooms;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Unit;

/// <summary>
/// The room's one table of the says it ordered, per sender: a retried say finds the delivery the room ordered for it,
/// so it is not ordered (and kept in history) twice, also by the room's next actor (restored from a hand-over or the
/// stored history); and the sender's node may acknowledge a say only once members on other nodes have it (issue 12:
/// a partition that begins just after the room ordered a say must not leave an OK without the other side's delivery).
/// </summary>
public sealed class OrderedSaysTests
{
    private static Deliver D(string key, long id, long seq) => new(7, seq, new ChatPayload("r", key, "\"m\"", 1), new SayTicket(key, id));

    public static TheoryData<string, string, long, long?> Cases => new()
    {
        // name, retried sender, retried id, seq found (null: not ordered here -> a new order)
        { "a retry of the last say of a sender gets its delivery", "c1", 2, 11 },
        { "an older say of that sender is not found (its newer one replaced it)", "c1", 1, null },
        { "a newer say is a new order", "c1", 3, null },
        { "another sender's say of the same number is its own", "c2", 2, 12 },
        { "a sender never seen", "c3", 1, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Find_should_return_the_delivery_of_exactly_that_ticket(string name, string key, long id, long? seq)
    {
        var ordered = new OrderedSays<string>(TimeSpan.FromSeconds(30));
        ordered.Ordered(D("c1", 1, 10), 0);
        ordered.Ordered(D("c1", 2, 11), 1);
        ordered.Ordered(D("c2", 2, 12), 2);
        Assert.True(seq == ordered.Find(new SayTicket(key, id))?.Deliver.Seq, name);
    }

    [Fact]
    public void Old_entries_should_be_forgotten_once_the_table_grows()
    {
        var ordered = new OrderedSays<string>(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 63; i++) ordered.Ordered(D("old" + i, 1, i), 0);
        ordered.Ordered(D("new", 1, 100), 5_000); // the 64th entry triggers a sweep: the 63 old ones are past the window
        Assert.Equal(1, ordered.Count);
        Assert.Null(ordered.Find(new SayTicket("old0", 1)));
        Assert.Equal(100, ordered.Find(new SayTicket("new", 1))!.Deliver.Seq);
    }

    private static HistoryEntry E(long offset, long at, string? key = null, long id = 0) =>
        new(offset, new ChatPayload("r", key ?? "server", "\"m\"", 1), at, key is null ? null : new SayTicket(key, id));

    public static TheoryData<string, string, long, long?> RestoreCases => new()
    {
        // name, retried sender, retried id, offset found (null: unknown to the next actor -> a new order)
        { "the newest ticket of a sender in the entries is found", "c1", 2, 11 },
        { "an older ticket of that sender is not (its newer one replaced it)", "c1", 1, null },
        { "an entry older than the window is not restored", "c2", 1, null },
        { "a sender whose newest say came in the hand-over's ordered list", "c3", 5, 3 },
        { "a hand-over entry older than the history's newer one of the same sender does not replace it", "c4", 2, 13 },
    };

    [Theory]
    [MemberData(nameof(RestoreCases))]
    public void Restore_should_rebuild_the_newest_ticket_per_sender_within_the_window(string name, string key, long id, long? offset)
    {
        var ordered = new OrderedSays<string>(TimeSpan.FromSeconds(30));
        const long now = 100_000;
        ordered.Restore(9, new[]
        {
            E(8, now - 31_000, "c2", 1), E(10, now - 2_000, "c1", 1), E(11, now - 1_000, "c1", 2), E(12, now - 900), E(13, now - 800, "c4", 2),
        }, now);
        ordered.Restore(9, new[] { E(3, now - 10_000, "c3", 5), E(4, now - 9_000, "c4", 1) }, now);
        var found = ordered.Find(new SayTicket(key, id));
        Assert.True(offset == found?.Deliver.Seq, name);
        if (found is not null) Assert.Equal((9L, false), (found.Deliver.Epoch, found.Pending));
    }

    [Fact]
    public void Recent_should_hand_over_what_restore_takes_back()
    {
        var ordered = new OrderedSays<string>(TimeSpan.FromSeconds(30));
        ordered.Ordered(D("c1", 2, 11), 1_000);
        ordered.Ordered(D("c2", 1, 12), 50_000);
        var recent = ordered.Recent(60_000); // c1's say is past the window
        Assert.Equal(new[] { 12L }, recent.Select(e => e.Offset));
        var next = new OrderedSays<string>(TimeSpan.FromSeconds(30));
        next.Restore(7, recent, 60_000);
        Assert.Equal(D("c2", 1, 12), next.Find(new SayTicket("c2", 1))!.Deliver);
        Assert.Null(next.Find(new SayTicket("c1", 2)));
    }

    // ---- confirmations ----

    private const long Bound = 30_000;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
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
        var wait = OrderedSays<string>.NodesToWaitFor(memberNodes, senderNode);
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
        var confirmations = new OrderedSays<string>(Window);
        confirmations.Ordered(DeliverOf(Ticket), 0, waitFor.ToHashSet(), "a");
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
        Assert.Equal(0, confirmations.PendingCount); // nothing left waiting: confirmed or expired
        Assert.NotNull(confirmations.Find(Ticket)); // still known as ordered: a late retry is not ordered again
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
        var confirmations = new OrderedSays<string>(Window);
        var first = DeliverOf(Ticket);
        confirmations.Ordered(first, 0, new HashSet<string> { "b" }, "a");
        Assert.Same(first, confirmations.Find(Ticket)!.Deliver); // the same delivery is sent again (same epoch and seq)
        Assert.Null(confirmations.Find(Ticket with { Id = 6 }));

        var next = Ticket with { Id = 8 };
        confirmations.Ordered(DeliverOf(next), 10, new HashSet<string> { "b" }, "a");
        Assert.Equal((1, 1), (confirmations.Count, confirmations.PendingCount)); // one say in flight per sender: bounded by the room's senders
        Assert.Null(confirmations.Find(Ticket));
        Assert.NotNull(confirmations.Confirm(next, "b"));
    }

    [Fact]
    public void Senders_are_independent()
    {
        var confirmations = new OrderedSays<string>(Window);
        var other = new SayTicket("c2", 7);
        confirmations.Ordered(DeliverOf(Ticket), 0, new HashSet<string> { "b" }, "a");
        confirmations.Ordered(DeliverOf(other), 0, new HashSet<string> { "b" }, "c");
        Assert.Equal("c", confirmations.Confirm(other, "b")!.SenderNode);
        Assert.NotNull(confirmations.Find(Ticket));
    }
}
