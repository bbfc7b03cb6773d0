using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Node.Core;

namespace ChatCluster.Node.Connections;

/// <summary>
/// This node's answer to "do you hold connection X?" (<c>/user/connections</c>): commands for a local
/// connection are forwarded to its actor (which replies to the original asker), anything else is answered
/// "not here". The chat API asks every node's directory to reach a connection anywhere in the cluster.
/// </summary>
public sealed class ConnectionDirectoryActor : ReceiveActor
{
    public const string Name = "connections";

    public ConnectionDirectoryActor(LocalConnections connections)
    {
        Receive<ConnectionProtocol.SendMessage>(m => Route(connections, m.ConnectionId, m));
        Receive<ConnectionProtocol.SetProperty>(m => Route(connections, m.ConnectionId, m));
        Receive<ConnectionProtocol.CloseConnection>(m => Route(connections, m.ConnectionId, m));
    }

    public static Props Props(LocalConnections connections) => Akka.Actor.Props.Create(() => new ConnectionDirectoryActor(connections));

    private void Route(LocalConnections connections, string connectionId, object command)
    {
        if (connections.TryGet(connectionId, out var connection)) connection.Actor.Forward(command);
        else Sender.Tell(new ConnectionProtocol.ConnectionReply(connectionId, false));
    }
}
