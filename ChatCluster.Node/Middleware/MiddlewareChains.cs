using System.Collections.Immutable;

namespace ChatCluster.Node.Middleware;

/// <summary>One consistent snapshot of every chain, in running order.</summary>
public sealed record MiddlewareChains(
    ImmutableArray<string> Names,
    ImmutableArray<Named<RoomHook>> Join,
    ImmutableArray<Named<RoomHook>> Leave,
    ImmutableArray<Named<SayHook>> OnSayReceive,
    ImmutableArray<Named<SayHook>> Say,
    ImmutableArray<Named<ConnectionHook>> Create,
    ImmutableArray<Named<ConnectionHook>> Destroy)
{
    public static readonly MiddlewareChains Empty = new(
        ImmutableArray<string>.Empty,
        ImmutableArray<Named<RoomHook>>.Empty, ImmutableArray<Named<RoomHook>>.Empty,
        ImmutableArray<Named<SayHook>>.Empty, ImmutableArray<Named<SayHook>>.Empty,
        ImmutableArray<Named<ConnectionHook>>.Empty, ImmutableArray<Named<ConnectionHook>>.Empty);
}
