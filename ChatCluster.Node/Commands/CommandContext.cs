using Akka.Actor;
using ChatCluster.Node.Api;
using ChatCluster.Node.Connections;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Commands;

/// <summary>What the palette handlers may read and use on this node (all of it thread-safe).</summary>
public sealed record CommandContext(
    ActorSystem System,
    ChatApi Api,
    NodeServices Services,
    CmdSettings Settings,
    RecentLog Log,
    INodeDrain Drain,
    IReadOnlyList<string> ConfigSources,
    Func<NodeListeners> Listeners,
    DateTimeOffset StartedAt,
    ILogger Logger)
{
    public Address SelfAddress => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>How long a node-to-node question may take (the room ask timeout: the same "is that node alive" bound).</summary>
    public TimeSpan PeerTimeout => Services.Settings.RoomAskTimeout;

    public static string Version { get; } =
        typeof(CommandContext).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public ActorSelection Peer(Address node) => System.ActorSelection(new RootActorPath(node) / "user" / PeerActor.Name);
}

/// <summary>The node's listening ports (0 = off), read when <c>node status</c> runs.</summary>
public sealed record NodeListeners(string Bind, int TcpPort, int WebPort, string CmdHost, int CmdPort);
