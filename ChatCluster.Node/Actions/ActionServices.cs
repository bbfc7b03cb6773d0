using Akka.Actor;
using ChatCluster.Node.Connections;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Actions;

/// <summary>Node facts and services built-in actions need (status, authentication settings).</summary>
public sealed record ActionServices(ActorSystem System, LocalConnections Connections, AuthSettings Auth, ILogger Logger);
