using Akka.Actor;
using ChatCluster.Node.Actions;
using ChatCluster.Node.Core;
using ChatCluster.Node.Middleware;

namespace ChatCluster.Node.Connections;

/// <summary>What every connection actor of this node shares: where rooms live (the region; the live room actors this node knows, <see cref="Rooms.RoomRefs"/>), local fan-out, middleware, actions and the public files.</summary>
public sealed record NodeServices(
    IActorRef RoomRegion,
    IActorRef Fanout,
    LocalConnections Connections,
    ChatSettings Settings,
    MiddlewarePipeline Middleware,
    ActionRunner Actions,
    Web.PublicFiles? Files = null,
    Rooms.RoomRefs? RoomRefs = null);
