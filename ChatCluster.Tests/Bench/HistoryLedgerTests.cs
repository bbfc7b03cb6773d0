using ChatCluster.Bench.Faults;

namespace ChatCluster.Tests.Bench;

/// <summary>
/// The history chaos run's accounting (HistoryLedger): a miss is charged to the recovery that had to bring it, so the
/// run's "0 missed under recovered:true" means what it says. Each case is one reader in room "r": its joins, what it
/// received, and which message it should be charged with missing.
/// </summary>
public class HistoryLedgerTests
{
    private const string Room = "r";
    private const string E1 = "111";
    private const string E2 = "222";

    private static SayRecord Said(long seq, long at) => new("s", Room, seq, at) { AnsweredAt = at + 1, Acked = true };

    private static PositionedReceipt Got(long seq, string epoch, long offset, int session = 1) => new(Room, "s", seq, offset, epoch, 0, session);

    private static JoinRecord Join(int session, long at, long replyAt, (long, string)? since, bool? recovered, string epoch, long offset) =>
        new(Room, session, 0, at, since, "test") { ReplyAt = replyAt, Recovered = recovered, Epoch = epoch, Offset = offset };

    public sealed record Case(string Name, JoinRecord[] Joins, PositionedReceipt[] Received, SayRecord[] Said,
        PositionedReceipt[] OthersReceived, string? MissedUnder, long MissedSeq = 0)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        new Case("nothing missed across a recovered:true rejoin",
            new[] { Join(1, 0, 10, null, null, E1, 0), Join(2, 100, 110, (1, E1), true, E1, 2) },
            new[] { Got(1, E1, 1), Got(2, E1, 2, session: 2) }, new[] { Said(1, 20), Said(2, 50) }, Array.Empty<PositionedReceipt>(), null),
        new Case("a message the replay left out is missed under true",
            new[] { Join(1, 0, 10, null, null, E1, 0), Join(2, 100, 110, (1, E1), true, E1, 3) },
            new[] { Got(1, E1, 1), Got(3, E1, 3, session: 2) }, new[] { Said(1, 20), Said(2, 50), Said(3, 60) },
            new[] { Got(2, E1, 2) }, "true", 2),
        new Case("a live message lost before a disconnect is charged to the next rejoin",
            new[] { Join(1, 0, 10, null, null, E1, 0), Join(2, 100, 110, (1, E1), true, E1, 3) },
            new[] { Got(1, E1, 1), Got(3, E1, 3, session: 2) }, new[] { Said(1, 20), Said(2, 30), Said(3, 120) },
            new[] { Got(2, E1, 2) }, "true", 2),
        // The first run's misattribution: the room's node crashed, the new epoch ordered messages while the rejoin
        // waited for the room, and the rejoin answered false with the new epoch's offset. Its loss, not the next one's.
        new Case("the new epoch's first messages said before a recovered:false answer are missed under false",
            new[] { Join(1, 0, 10, null, null, E1, 0), Join(2, 100, 300, (1, E1), false, E2, 1), Join(3, 400, 410, (2, E2), true, E2, 2) },
            new[] { Got(1, E1, 1), Got(3, E2, 2, session: 3) }, new[] { Said(1, 20), Said(2, 200), Said(3, 350) },
            new[] { Got(2, E2, 1) }, "false", 2),
        new Case("the old epoch's tail lost with the room's node is missed under false",
            new[] { Join(1, 0, 10, null, null, E1, 0), Join(2, 100, 300, (1, E1), false, E2, 0) },
            new[] { Got(1, E1, 1) }, new[] { Said(1, 20), Said(2, 50) }, new[] { Got(2, E1, 2) }, "false", 2),
        new Case("a message no reader received is charged to the first join sent after it",
            new[] { Join(1, 0, 10, null, null, E1, 0), Join(2, 100, 110, (0, E1), true, E1, 1) },
            Array.Empty<PositionedReceipt>(), new[] { Said(2, 50) }, Array.Empty<PositionedReceipt>(), "true", 2),
        new Case("a message said before the reader was a member is not missed",
            new[] { Join(1, 100, 110, null, null, E1, 1) },
            Array.Empty<PositionedReceipt>(), new[] { Said(1, 50) }, new[] { Got(1, E1, 1) }, null),
        new Case("a message missed in the last session, with no rejoin after it, is missed otherwise",
            new[] { Join(1, 0, 10, null, null, E1, 0) },
            new[] { Got(2, E1, 2) }, new[] { Said(1, 20), Said(2, 30) }, new[] { Got(1, E1, 1) }, "otherwise", 1),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_miss_should_be_charged_to_the_recovery_that_had_to_bring_it(Case c)
    {
        var positions = HistoryLedger.Positions(c.Received.Concat(c.OthersReceived));
        var account = HistoryLedger.Account(Room, c.Joins, c.Received, c.Said, positions);
        if (c.MissedUnder is null)
        {
            Assert.Empty(account.Missed);
            return;
        }
        var missed = Assert.Single(account.Missed);
        Assert.Equal(c.MissedSeq, missed.Say.Seq);
        Assert.Equal(c.MissedUnder, missed.Under);
    }

    [Fact]
    public void A_message_received_twice_should_be_a_duplicate_and_one_older_than_the_last_a_reorder()
    {
        var joins = new[] { Join(1, 0, 10, null, null, E1, 0), Join(2, 100, 110, (2, E1), true, E1, 3) };
        var received = new[] { Got(1, E1, 1), Got(2, E1, 2), Got(2, E1, 2, session: 2), Got(3, E1, 3, session: 2), Got(1, E1, 1, session: 2) };
        var said = new[] { Said(1, 20), Said(2, 30), Said(3, 120) };
        var account = HistoryLedger.Account(Room, joins, received, said, HistoryLedger.Positions(received));
        Assert.Equal(new long[] { 2, 1 }, account.Duplicates.Select(d => d.Seq));
        // The second 2 (after 2) is a duplicate, not a reorder; the second 1 (after 3) is both.
        var reorder = Assert.Single(account.Reorders);
        Assert.Equal((1L, 3L), (reorder.Message.Seq, reorder.After));
        Assert.Empty(account.Missed);
    }

    [Fact]
    public void A_message_on_a_connection_whose_join_failed_should_be_received_while_not_joined()
    {
        var joins = new[]
        {
            Join(1, 0, 10, null, null, E1, 0),
            new JoinRecord(Room, 2, 0, 100, (1, E1), "test") { ReplyAt = 5100, Error = "the room is temporarily unavailable, try again" },
        };
        var received = new[] { Got(1, E1, 1), Got(2, E2, 3, session: 2) };
        var ghost = Assert.Single(HistoryLedger.ReceivedWhileNotJoined(joins, received));
        Assert.Equal(2, ghost.Seq);
    }

    // The long run's case: s|2 reached no reader; the room's new epoch answered a rejoin with offset 2 and
    // recovered:false, and the reader got s|3 live at offset 3. s|2 stands before it, at offset 2 or less: that join's loss.
    [Fact]
    public void A_message_no_reader_received_should_be_placed_before_its_senders_next_one()
    {
        var joins = new[] { Join(1, 0, 10, null, null, E1, 0), Join(2, 100, 300, (0, E1), false, E2, 2), Join(3, 400, 410, (3, E2), true, E2, 3) };
        var received = new[] { Got(3, E2, 3, session: 2) };
        var said = new[] { Said(2, 200), Said(3, 250) };
        var positions = HistoryLedger.Positions(received);
        HistoryLedger.InferUnseen(positions, said);
        Assert.Equal((E2, 2L), positions[(Room, "s", 2)]);
        var missed = Assert.Single(HistoryLedger.Account(Room, joins, received, said, positions).Missed);
        Assert.Equal("false", missed.Under);
    }
}
