using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace ChatCluster.Node.Connections;

/// <summary>
/// What a connection's verbs read and change: who it is, its rooms (in join order), its params (TCP's sticky
/// params), its properties (marks such as <c>authenticated</c>, set by actions and <c>connections.apply</c>) and its
/// action counters. Immutable: <see cref="VerbRules"/> returns a new state when a verb changes it, and the actor
/// keeps the newest. <see cref="Params"/> is never written once it is in a state (a change copies it), so a state can
/// be handed to a table test or a view without a copy.
/// </summary>
/// <remarks>
/// The messageId of the last request is not here: it changes with every request, and keeping it in the state would
/// cost a new state per <c>say</c> (the hot path); the actor keeps it beside the state.
/// </remarks>
public sealed record ConnectionState(
    string Id,
    string Fingerprint,
    string RemoteIp,
    int RemotePort,
    long ConnectedAt,
    ImmutableArray<string> Rooms,
    JsonObject Params,
    ImmutableDictionary<string, JsonNode?> Properties,
    int TotalActions,
    int PendingActions,
    VerbSettings Settings)
{
    /// <summary>A new connection: no rooms, params, properties or actions.</summary>
    public static ConnectionState New(string id, string fingerprint, string remoteIp, int remotePort, long connectedAt, VerbSettings settings) =>
        new(id, fingerprint, remoteIp, remotePort, connectedAt, ImmutableArray<string>.Empty, new JsonObject(),
            ImmutableDictionary<string, JsonNode?>.Empty, 0, 0, settings);

    public bool IsIn(string room) => Rooms.Contains(room);

    public ConnectionState Joined(string room) => IsIn(room) ? this : this with { Rooms = Rooms.Add(room) };

    public ConnectionState Left(string room) => IsIn(room) ? this with { Rooms = Rooms.Remove(room) } : this;

    /// <summary>An action finished: one less pending, and the properties it set.</summary>
    public ConnectionState ActionDone(ImmutableDictionary<string, JsonNode?> changes) => this with
    {
        PendingActions = PendingActions - 1,
        Properties = changes.IsEmpty ? Properties : Properties.SetItems(changes),
    };

    public ConnectionState WithProperty(string key, JsonNode? value) => this with { Properties = Properties.SetItem(key, value) };
}

/// <summary>The node's settings the verbs read: the pending-action bound, and which params <c>paramAdd</c> may keep.</summary>
/// <param name="MaxPendingActions"><c>chatcluster.actions.max-pending</c>: actions one connection may have running.</param>
/// <param name="IsActionInput">True for a param some registered action takes as input (ActionHero keeps those too).</param>
public sealed record VerbSettings(int MaxPendingActions, Func<string, bool> IsActionInput);
