using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// What a room does with a say, as a plain rule of what it knows when the say arrives; the <see cref="RoomActor"/>
/// sends, remembers and answers. First match wins:
/// <list type="number">
/// <item>the room refuses it (it does not exist): <see cref="Step.Refuse"/>;</item>
/// <item>a ticketed say (its sender's node waits for it) that this room ordered already, a retry of a slow or lost OK:
/// never ordered twice (one offset, one history entry); <see cref="Step.ResendPending"/> while other nodes still owe
/// a confirmation, else <see cref="Step.ResendConfirmed"/>;</item>
/// <item>a ticketed say whose sender's node saw it ordered in this epoch (its ticket was lost with a trimmed or unwritten
/// store entry): <see cref="Step.AnswerFromPrior"/>, not ordered again;</item>
/// <item>a ticketed say with members on other nodes than the sender's: <see cref="Step.OrderAndWait"/>, so those
/// members have it before the sender's OK (a partition beginning now would otherwise leave them without it);</item>
/// <item>otherwise ordered: <see cref="Step.OrderAndRemember"/> when ticketed (a retry finds it), else <see cref="Step.Order"/>.</item>
/// </list>
/// Tested by table (<c>SayRuleTests</c>); nothing here sends, waits or reads the clock.
/// </summary>
public static class SayRule
{
    /// <summary>Whether this room ordered the say's ticket already (<see cref="OrderedSays{TNode}.Find"/>), and how far it is.</summary>
    public enum Found
    {
        /// <summary>Not ordered here (or forgotten): a new say.</summary>
        None,

        /// <summary>Ordered, some node with members has not confirmed it yet.</summary>
        Pending,

        /// <summary>Ordered and confirmed by every node that had to (or by nobody, when none had to).</summary>
        Confirmed,
    }

    /// <summary>The kind of step the room takes; the actor carries it out.</summary>
    public enum Step
    {
        /// <summary>Answer the sender with the refusal (the room does not exist).</summary>
        Refuse,

        /// <summary>The same delivery again, to the nodes that owe a confirmation and to the sender's node (which drops a copy).</summary>
        ResendPending,

        /// <summary>The same delivery again without a confirmation request, to the sender's node only: it drops it as a copy and answers.</summary>
        ResendConfirmed,

        /// <summary>Answer from the position the sender's node saw, and remember it; not ordered again.</summary>
        AnswerFromPrior,

        /// <summary>Order it, fan it out asking for confirmations, and hold the sender's OK until every other node with members has it.</summary>
        OrderAndWait,

        /// <summary>Order it, fan it out and remember its ticket; the sender's node answers on arrival.</summary>
        OrderAndRemember,

        /// <summary>Order it and fan it out (no ticket or no node to answer: nothing to remember).</summary>
        Order,
    }

    /// <param name="refusal">The room's refusal (<see cref="RoomState.CanSay"/>), or null when it takes says.</param>
    /// <param name="ticketed">The say has a ticket and its sender's node (<c>AckTo</c>): that node answers the sender.</param>
    /// <param name="found">What this room knows of the ticket.</param>
    /// <param name="prior">Where the sender's node saw the say ordered before, if it did.</param>
    /// <param name="epoch">The room's epoch.</param>
    /// <param name="seq">The room's last offset in <paramref name="epoch"/>.</param>
    /// <param name="nodesMustConfirm">Nodes with members other than the sender's (<see cref="OrderedSays{TNode}.NodesToWaitFor"/>).</param>
    public static Step Decide(string? refusal, bool ticketed, Found found, Position? prior, long epoch, long seq, bool nodesMustConfirm)
    {
        if (refusal is not null) return Step.Refuse;
        // Without a ticket and a node to answer, a say cannot be recognised again: it is simply ordered.
        if (!ticketed) return Step.Order;
        if (found == Found.Pending) return Step.ResendPending;
        if (found == Found.Confirmed) return Step.ResendConfirmed;
        // A prior position in another epoch was lost with its actor: the say is ordered again (its delivery carries the
        // position, so members that saw it are spared it). An offset beyond this epoch's last is not one this room
        // holds, and answering from it would hand out an offset the room has yet to give: ordered again too.
        if (prior is not null && prior.Epoch == epoch && prior.Offset <= seq) return Step.AnswerFromPrior;
        return nodesMustConfirm ? Step.OrderAndWait : Step.OrderAndRemember;
    }
}
