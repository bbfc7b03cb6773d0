using ChatCluster.Messages;
using ChatCluster.Node.Rooms;
using static ChatCluster.Messages.RoomProtocol;
using Found = ChatCluster.Node.Rooms.SayRule.Found;
using Step = ChatCluster.Node.Rooms.SayRule.Step;

namespace ChatCluster.Tests.Unit;

/// <summary>
/// What a room does with a say, as a table: refusal, the ticket's state here, where the sender's node saw it ordered
/// and whether other nodes must confirm it → the step the <see cref="RoomActor"/> carries out.
/// The room is at offset 10 of epoch 7 in every case.
/// </summary>
public sealed class SayRuleTests
{
    private const long Epoch = 7;
    private const long Seq = 10;

    private static readonly string Missing = ChatErrors.RoomNotExist;

    private static Position At(long epoch, long offset) => new(epoch, offset);

    public static TheoryData<string, string?, bool, Found, Position?, bool, Step> Cases => new()
    {
        // name, refusal, ticketed (ticket + sender's node), ticket found here, prior position, nodes must confirm, step
        { "a say in a room that does not exist is refused", Missing, false, Found.None, null, false, Step.Refuse },
        { "a ticketed say in a room that does not exist is refused", Missing, true, Found.None, null, true, Step.Refuse },
        { "a retry of a say ordered here, in a room destroyed since, is refused", Missing, true, Found.Confirmed, At(Epoch, 3), false, Step.Refuse },
        { "a say without a ticket is ordered", null, false, Found.None, null, false, Step.Order },
        { "a say without a ticket is ordered without waiting, whatever the other nodes", null, false, Found.None, null, true, Step.Order },
        { "a say without a ticket is ordered even with a prior position in this epoch", null, false, Found.None, At(Epoch, 3), false, Step.Order },
        { "a new ticketed say with members only on its sender's node is ordered and remembered", null, true, Found.None, null, false, Step.OrderAndRemember },
        { "a new ticketed say with members on other nodes is ordered and waits for their confirmations", null, true, Found.None, null, true, Step.OrderAndWait },
        { "a retry of a say still owed confirmations goes again to the nodes that owe them and its sender's node", null, true, Found.Pending, null, true, Step.ResendPending },
        { "a retry of a say confirmed already goes to its sender's node only", null, true, Found.Confirmed, null, false, Step.ResendConfirmed },
        { "a retry of a say confirmed already is not ordered again, though other nodes now hold members", null, true, Found.Confirmed, null, true, Step.ResendConfirmed },
        { "a retry whose ticket is here is resent, its prior position in this epoch is not needed", null, true, Found.Pending, At(Epoch, 3), true, Step.ResendPending },
        { "a retry whose ticket was lost but whose node saw it in this epoch is answered from that offset", null, true, Found.None, At(Epoch, 3), false, Step.AnswerFromPrior },
        { "a retry seen at this epoch's last offset is answered from it", null, true, Found.None, At(Epoch, Seq), false, Step.AnswerFromPrior },
        { "a retry seen in this epoch is answered, not ordered to wait for other nodes", null, true, Found.None, At(Epoch, 3), true, Step.AnswerFromPrior },
        { "a retry seen beyond this epoch's last offset is ordered again", null, true, Found.None, At(Epoch, Seq + 1), false, Step.OrderAndRemember },
        { "a retry seen in an earlier epoch (lost with its actor) is ordered again", null, true, Found.None, At(Epoch - 1, 3), false, Step.OrderAndRemember },
        { "a retry seen in an earlier epoch, with members on other nodes, is ordered again and waits", null, true, Found.None, At(Epoch - 1, 3), true, Step.OrderAndWait },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_should_take_the_step_the_say_needs(string name, string? refusal, bool ticketed, Found found, Position? prior,
        bool nodesMustConfirm, Step expected)
    {
        var step = SayRule.Decide(refusal, ticketed, found, prior, Epoch, Seq, nodesMustConfirm);
        Assert.True(expected == step, $"{name}: {step}");
    }
}
