using Akka.Actor;

namespace ChatCluster.Node.Mirror;

/// <summary>
/// To every fan-out partition of this node: the mirror's store was unreachable or lost its data; write this node's rooms
/// and members into it again (each node writes the members it holds, as when they joined).
/// </summary>
public sealed record MirrorResync : INoSerializationVerificationNeeded
{
    public static readonly MirrorResync Instance = new();

    private MirrorResync() { }
}
