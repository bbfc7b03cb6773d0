using System.Net;
using Akka.Hosting;
using ChatCluster.Messages;
using ChatCluster.Node.Actions;
using ChatCluster.Node.Web;
using ChatCluster.Transports;
using ChatCluster.Transports.Limits;
using ChatCluster.Transports.Primus;
using ChatCluster.Transports.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// A ChatCluster node inside a Generic Host: <c>builder.Services.AddChatCluster(o => ...)</c> in any
/// <c>WebApplicationBuilder</c> (or <c>hostBuilder.AddChatCluster(...)</c>). The host then runs, in this order:
/// the actor system through Akka.Hosting (<see cref="ChatAkka"/>: operations, Redis, room region, node actors, join),
/// <see cref="ChatNodeService"/> (member Up, starting rooms, the listeners' handlers), Kestrel (the TCP socket server
/// and the web port with <c>/primus</c>, <c>/api/</c> and the public files, in front of the host's own pipeline),
/// then ccm's listener. Stopping the host drains the node first (<see cref="ChatNode.DrainAsync"/>).
/// The node itself: <c>app.Services.GetRequiredService&lt;ChatNodeAccessor&gt;().Node</c> once the host started.
/// </summary>
public static class ChatClusterHosting
{
    public static IServiceCollection AddChatCluster(this IServiceCollection services, Action<ChatClusterOptions>? configure = null)
    {
        var options = new ChatClusterOptions();
        configure?.Invoke(options);
        // Read and checked now: a bad value fails the host's construction, naming the key.
        return services.AddChatCluster(new ChatNodeParts(options));
    }

    /// <summary>
    /// The same on an <see cref="IHostBuilder"/>. Call it before <c>ConfigureWebHostDefaults</c>: hosted services start
    /// in registration order, and Kestrel must bind only once the node's handlers exist.
    /// </summary>
    public static IHostBuilder AddChatCluster(this IHostBuilder host, Action<ChatClusterOptions>? configure = null) =>
        host.ConfigureServices(services => services.AddChatCluster(configure));

    internal static IServiceCollection AddChatCluster(this IServiceCollection services, ChatNodeParts parts)
    {
        var options = parts.Options;
        services.AddSingleton(parts);
        services.AddSingleton(new ChatNodeAccessor(parts));
        // One log pipeline: the host's, Kestrel's, Akka's and ChatCluster's lines in one format (--log-format).
        services.AddSingleton(parts.Loggers);
        services.AddAkka(options.Node.SystemName, (builder, _) => builder.WithChatNode(parts));
        // After AddAkka: hosted services start in registration order, so the actor system and its starters come first;
        // a WebApplication starts Kestrel after every hosted service of the application.
        services.AddHostedService<ChatNodeService>();
        AddListeners(services, parts);
        return services;
    }

    private static void AddListeners(IServiceCollection services, ChatNodeParts parts)
    {
        var settings = parts.Settings;
        if (!settings.TcpEnabled && !settings.WebEnabled) return;
        var limits = settings.Transport.Limits;
        var loggers = parts.Loggers;
        // Kestrel's socket connections behind our own accept loop, which backs off at the fd limit instead of spinning
        // (registered last, so Kestrel prefers it to its own socket transport).
        // Kestrel's pinned block pool for the sockets' pipes (KestrelBlockPool: the options' default is the shared array pool).
        services.AddSingleton<IConnectionListenerFactory>(sp => new BackoffSocketTransportFactory(limits, new SocketConnectionFactoryOptions
        {
            UnsafePreferInlineScheduling = settings.InlineSocketScheduling,
            WaitForDataBeforeAllocatingBuffer = settings.SocketWaitForData,
        }, loggers, sp.GetService<IMemoryPoolFactory<byte>>()));
        WebPipeline.AddServices(services, parts.Web);
        var address = settings.Bind == "localhost" ? IPAddress.Loopback : IPAddress.Parse(settings.Bind);
        // Kestrel reads these options when the host starts, before the actor system exists: the handlers are looked
        // up per connection in the parts, which ChatNodeService fills before Kestrel binds.
        services.Configure<KestrelServerOptions>(k =>
        {
            k.AddServerHeader = false;
            k.Limits.RequestHeadersTimeout = limits.HandshakeTimeout;
            k.Limits.KeepAliveTimeout = limits.HttpKeepAliveTimeout;
            if (settings.TcpEnabled)
                k.Listen(address, settings.TcpPort, o =>
                {
                    parts.TcpListen = o;
                    o.Use(parts.Admission.Middleware(TcpRefusal, waitForRequest: false));
                    o.Run(connection => parts.Tcp!.OnConnectedAsync(connection));
                });
            if (settings.WebEnabled)
                k.Listen(address, settings.WebPort, o =>
                {
                    parts.WebListen = o;
                    o.Use(parts.Admission.Middleware(HttpRefusal, waitForRequest: true));
                    // Websocket upgrades that open a connection skip the HTTP stack (see PrimusConnectionMiddleware).
                    o.Use(next =>
                    {
                        ConnectionDelegate? wrapped = null;
                        return connection => (wrapped ??= parts.PrimusConnection!.Wrap(next))(connection);
                    });
                });
        });
        if (settings.WebEnabled) services.AddSingleton<IStartupFilter>(new ChatWebStartup(parts));
    }

    // ChatCluster's part of the HTTP pipeline, before the host's own: CORS first (a preflight OPTIONS is answered by
    // the CORS middleware and never reaches an action), the Primus client, /primus, /api/, then the public files.
    private sealed class ChatWebStartup(ChatNodeParts parts) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            WebPipeline.UseFront(app, parts.Web);
            WebPipeline.UsePrimusClient(app, parts.Web, parts.Settings.Transport);
            app.Use(async (context, nextMiddleware) =>
            {
                if (parts.Primus!.Matches(context.Request.Path)) await parts.Primus.HandleAsync(context);
                else if (ActionHttpEndpoint.Matches(context.Request.Path)) await parts.ActionEndpoint!.HandleAsync(context);
                else await nextMiddleware(context);
            });
            WebPipeline.UsePublic(app, parts.Web, parts.Files);
            next(app);
        };
    }

    private static readonly byte[] TcpNodeFull = [.. TcpResponseFormat.ConnectionError(ChatErrors.TooManyConnections), .. "\r\n"u8];
    private static readonly byte[] TcpAddressFull = [.. TcpResponseFormat.ConnectionError(ChatErrors.TooManyConnectionsFromAddress), .. "\r\n"u8];
    private static readonly byte[] HttpNodeFull = ConnectionAdmission.HttpServiceUnavailable(ChatErrors.TooManyConnections);
    private static readonly byte[] HttpAddressFull = ConnectionAdmission.HttpServiceUnavailable(ChatErrors.TooManyConnectionsFromAddress);

    private static byte[] TcpRefusal(AdmissionVerdict verdict) => verdict == AdmissionVerdict.AddressFull ? TcpAddressFull : TcpNodeFull;

    private static byte[] HttpRefusal(AdmissionVerdict verdict) => verdict == AdmissionVerdict.AddressFull ? HttpAddressFull : HttpNodeFull;
}
