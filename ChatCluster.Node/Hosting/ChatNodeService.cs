using Akka.Cluster;
using ChatCluster.Messages;
using ChatCluster.Node.Actions;
using ChatCluster.Node.Api;
using ChatCluster.Node.Connections;
using ChatCluster.Transports.Primus;
using ChatCluster.Transports.Tcp;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// The node's steps in the host after Akka.Hosting has started the actor system (<see cref="ChatAkka"/>):
/// <code>
/// StartAsync     member Up; Redis adapter subscribed; starting rooms exist; the listeners' handlers are made
///   (Kestrel)    binds the TCP and web ports (the host starts it after every hosted service)
/// StartedAsync   the drain is registered, ccm listens, the node logs "up"
/// StoppingAsync  the drain (before the host stops Kestrel, so every client gets its goodbye)
/// </code>
/// </summary>
internal sealed class ChatNodeService(ChatNodeParts parts, IServiceProvider services) : IHostedLifecycleService
{
    // How long a node waits for its own member Up before failing its start (seed nodes unreachable).
    private static readonly TimeSpan UpTimeout = TimeSpan.FromSeconds(60);

    // A starting room is asked this many times while the cluster forms before the node gives up starting.
    private const int StartingRoomAttempts = 6;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var system = parts.System ?? throw new InvalidOperationException("the actor system did not start (AddAkka)");
        var settings = parts.Settings;
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(UpTimeout, cancellationToken);
        if (parts.Redis is { } redis) await redis.StartAsync(system, parts.Connections, parts.Services!.Fanout, settings.RoomAskTimeout);

        await CreateStartingRoomsAsync(parts.Api!, settings.StartingRooms, parts.Logger, cancellationToken);
        var operations = parts.Operations!;
        operations.Readiness.StartingRoomsCreated();

        var host = operations.Gate(new ConnectionHost(system, parts.Services!));
        parts.Tcp = new TcpConnectionHandler(host, settings.Transport, parts.Loggers);
        if (settings.WebEnabled)
        {
            parts.Heartbeat = new PrimusHeartbeat(settings.Transport.PingInterval, parts.Loggers.CreateLogger("ChatCluster.Heartbeat"));
            parts.Primus = new PrimusEndpoint(host, settings.Transport, parts.Heartbeat, parts.Loggers);
            parts.PrimusConnection = new PrimusConnectionMiddleware(parts.Primus, settings.Transport.PrimusPath, settings.Transport.Limits.HandshakeTimeout);
            parts.ActionEndpoint = new ActionHttpEndpoint(parts.Services!.Actions);
        }
    }

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var settings = parts.Settings;
        var server = settings.TcpEnabled || settings.WebEnabled ? services.GetService<IServer>() : null;
        var tcpPort = parts.TcpListen?.IPEndPoint?.Port ?? 0;
        var webPort = parts.WebListen?.IPEndPoint?.Port ?? 0;
        var heartbeat = parts.Heartbeat;
        parts.Operations!.Serving(parts.Connections, settings.Transport.CloseTimeout,
            () => StopListenersAsync(server, heartbeat, settings.Transport.CloseTimeout));
        var node = new ChatNode(parts, server, tcpPort, webPort);
        parts.Node = node;
        try
        {
            parts.Commands.Start(node, parts.Options.Node.ConfigFiles, parts.Loggers);
        }
        catch
        {
            await node.DrainActorsAsync();
            throw;
        }
        // Logged last: "up" means every listener (ccm included) accepts.
        // Each placeholder once: a structured (JSON) log line must not carry the same key twice.
        parts.Logger.LogInformation("ChatCluster node {Address} up: tcp {Bind}:{TcpPort}, websocket ws://{WebBind}:{WebPort}{Path}, rooms [{Rooms}]",
            node.Address, settings.Bind, tcpPort, settings.Bind, webPort, settings.Transport.PrimusPath, string.Join(", ", settings.StartingRooms));
        if (parts.Redis is { } redis)
            parts.Logger.LogInformation("redis adapter on: keystore {Keystore}, pubsub {PubSub}, channel {Channel}, serverId {ServerId}, journal {Journal}",
                settings.Redis.Keystore, settings.Redis.PubSub, settings.Redis.Channel, redis.ServerId, settings.Redis.Journal ? "redis" : "configured");
    }

    // Before the host stops anything (Kestrel first): the drain says goodbye to every client and stops the listeners
    // itself. A node that never came up only releases what it started.
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (parts.Node is { } node) await node.DrainActorsAsync();
        else await ReleaseAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // A start that failed half way: the actor system ends with the host (AkkaHostedService), the rest here.
    private async Task ReleaseAsync()
    {
        parts.Heartbeat?.Dispose();
        if (parts.System is { } system) await system.Terminate();
        if (parts.Operations is { } operations) await operations.DisposeAsync();
        if (parts.Redis is { } redis) await redis.DisposeAsync();
    }

    // Every node asks for the starting rooms; the first ask creates each one. While the cluster is still forming a
    // room may not answer yet, so each is retried for a while before the node gives up starting.
    private static async Task CreateStartingRoomsAsync(ChatApi api, IReadOnlyList<string> rooms, ILogger logger, CancellationToken cancellation)
    {
        foreach (var room in rooms)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await api.AddAsync(room);
                    break;
                }
                catch (ChatException e) when (e.Message == ChatErrors.RoomExists)
                {
                    break;
                }
                catch (ChatException e) when (e.Message == ChatErrors.RoomUnavailable && attempt < StartingRoomAttempts)
                {
                    HostingLog.StartingRoomRetry(logger, room, attempt);
                    cancellation.ThrowIfCancellationRequested();
                }
            }
        }
    }

    // The drain's service-stop phase: the public listeners go (connections still open by now are cut). Kestrel's stop
    // is idempotent: the host's own stop later finds it stopped.
    private static async Task StopListenersAsync(IServer? server, PrimusHeartbeat? heartbeat, TimeSpan closeTimeout)
    {
        heartbeat?.Dispose();
        if (server is null) return;
        using var cts = new CancellationTokenSource(closeTimeout);
        await server.StopAsync(cts.Token);
    }
}
