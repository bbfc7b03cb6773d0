using Akka.Actor;
using Akka.Event;
using ChatCluster.Transports;

namespace ChatCluster.Node.Connections;

/// <summary>Node-local messages from a connection's socket to its actor (never cross nodes).</summary>
public static class ConnectionInbox
{
    public sealed record Request(ClientRequest Value) : INoSerializationVerificationNeeded;

    public sealed record LineTooLong(long ReceivedBytes, long MaxBytes) : INoSerializationVerificationNeeded;

    public sealed record Break : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly Break Instance = new();
        private Break() { }
    }

    public sealed record TransportClosed : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly TransportClosed Instance = new();
        private TransportClosed() { }
    }

    /// <summary>The answer of a room to a verb that had to ask it (or null on timeout).</summary>
    internal sealed record RoomAnswer(PendingVerb Verb, object? Reply) : INoSerializationVerificationNeeded;

    internal sealed record PendingVerb(string Name, string Room, string MessageIdJson, string? DataJson);
}
