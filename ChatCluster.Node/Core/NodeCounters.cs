using ChatCluster.Transports;

namespace ChatCluster.Node.Core;

/// <summary>
/// The running totals the hot paths add to (process-wide, as <see cref="PipeClientTransport.Overflows"/>): the
/// metrics read them when scraped. Fan-out adds once per room message for all of its local members, transports once
/// per flush; nothing here calls a metrics listener on the data path.
/// </summary>
public static class NodeCounters
{
    /// <summary>Chat messages (<c>say</c>) received from this node's clients, before middleware.</summary>
    public static readonly StripedCounter MessagesReceived = new();

    /// <summary>Chat messages handed to this node's clients' sockets (one per recipient).</summary>
    public static readonly StripedCounter MessagesDelivered = new();

    /// <summary>The middleware hook kinds, in the order of <see cref="Refusals"/> and <see cref="Silences"/>.</summary>
    public static readonly string[] Hooks = { "join", "leave", "onSayReceive", "say" };

    public const int Join = 0, Leave = 1, OnSayReceive = 2, Say = 3;

    /// <summary>Verbs refused by middleware, by hook kind.</summary>
    public static readonly StripedCounter[] Refusals = Hooks.Select(_ => new StripedCounter()).ToArray();

    /// <summary>Messages silenced by middleware (onSayReceive: for everyone; say: for one recipient), by hook kind.</summary>
    public static readonly StripedCounter[] Silences = Hooks.Select(_ => new StripedCounter()).ToArray();
}
