using Akka.Actor;
using ChatCluster.Node.Connections;

namespace ChatCluster.Node.Hosting;

/// <summary>What every connection actor of this node shares: where rooms live and where local fan-out happens.</summary>
public sealed record NodeServices(IActorRef RoomRegion, IActorRef Fanout, LocalConnections Connections, ChatSettings Settings);
