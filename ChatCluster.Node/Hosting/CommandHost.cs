using Akka.Actor;
using Akka.Configuration;
using ChatCluster.Node.Commands;
using ChatCluster.Node.Commands.Palettes;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// Everything ccm needs in a node, started and stopped by <see cref="ChatNode"/> through this one class: the settings
/// (checked before the actor system starts), the recent-log ring, one handler actor per palette, the peer actor that
/// answers other nodes, and the listener (when enabled).
/// </summary>
public sealed class CommandHost : IAsyncDisposable
{
    private CommandListener? _listener;

    private CommandHost(CmdSettings settings, RecentLog log)
    {
        Settings = settings;
        Log = log;
    }

    public CmdSettings Settings { get; }

    public RecentLog Log { get; }

    /// <summary>The listener's bound port; 0 when the listener is off.</summary>
    public int Port => _listener?.Port ?? 0;

    /// <summary>Reads and checks <c>chatcluster.cmd</c>; throws <see cref="ConfigurationException"/> naming the key.</summary>
    public static CommandHost Prepare(Config config, LogLevel level)
    {
        var settings = CmdSettings.Create(config);
        return new CommandHost(settings, new RecentLog(settings.RecentLogLines, level));
    }

    public void Start(ChatNode node, IReadOnlyList<string> configFiles, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("ChatCluster.Cmd");
        var sources = configFiles.Reverse().Append("hocon/base.conf").Prepend("command line").ToList();
        var context = new CommandContext(node.System, node.Api, node.Services, Settings, Log, new GracefulStopDrain(node), sources,
            () => new NodeListeners(node.Settings.Bind, node.TcpPort, node.WebPort, Settings.Host, Port), DateTimeOffset.UtcNow, logger);
        var system = node.System;
        system.ActorOf(PeerActor.Props(context), PeerActor.Name);
        if (!Settings.Enabled) return;
        var palettes = new Dictionary<string, IActorRef>(StringComparer.Ordinal)
        {
            [CommandTable.Actor.Name] = system.ActorOf(ActorPalette.Props(context), "ccm-actor"),
            [CommandTable.Cluster.Name] = system.ActorOf(ClusterPalette.Props(context), "ccm-cluster"),
            [CommandTable.Sharding.Name] = system.ActorOf(ShardingPalette.Props(context), "ccm-cluster-sharding"),
            [CommandTable.Log.Name] = system.ActorOf(LogPalette.Props(context), "ccm-log"),
            [CommandTable.Node.Name] = system.ActorOf(NodePalette.Props(context), "ccm-node"),
            [CommandTable.Chat.Name] = system.ActorOf(ChatPalette.Props(context), "ccm-chat"),
        };
        var dispatcher = new CommandDispatcher(Settings, palettes, node.Address.ToString(), logger);
        _listener = new CommandListener(Settings, dispatcher, logger);
        _listener.Start();
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null) await _listener.DisposeAsync();
    }
}
