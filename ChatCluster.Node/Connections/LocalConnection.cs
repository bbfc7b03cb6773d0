using Akka.Actor;
using ChatCluster.Transports;

namespace ChatCluster.Node.Connections;

/// <summary>A connection held by this node: its id, its socket's outbound side, and its actor.</summary>
public sealed record LocalConnection(string Id, IClientTransport Transport, IActorRef Actor);
