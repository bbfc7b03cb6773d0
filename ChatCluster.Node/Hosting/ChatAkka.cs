using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Persistence.Hosting;
using Akka.Remote.Hosting;
using ChatCluster.Node.Actions;
using ChatCluster.Node.Api;
using ChatCluster.Node.Connections;
using ChatCluster.Node.Core;
using ChatCluster.Node.Middleware;
using ChatCluster.Node.Operations;
using ChatCluster.Node.Redis;
using ChatCluster.Node.Rooms;
using ChatCluster.Persistence.Redis;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// The node's actor system through Akka.Hosting, one builder step per concern. HOCON (hocon/*.conf and the overrides)
/// stays the reference for every value; the steps declare what the node is made of, and in which order it starts.
/// Akka.Hosting runs the actor starters in order, then the startup tasks:
/// <code>
/// operations    metrics, readiness ("not ready" from here on), management listener, cluster event log
/// redis         the ActionHero-compatible adapter connects (rooms write through it)
/// room region   WithShardRegion&lt;RoomActor&gt;: our extractor, factory Props per room
/// node actors   fan-out, say-retry sweeper, connection directory (ActorRegistry keys: their types)
/// join          only now: every serializer and the region exist before another node can talk to this one
/// </code>
/// </summary>
internal static class ChatAkka
{
    /// <summary>The sharding type name of rooms (ccm's sharding palette asks regions by it).</summary>
    public const string RoomTypeName = RoomHandOff.RegionName;

    public static AkkaConfigurationBuilder WithChatNode(this AkkaConfigurationBuilder builder, ChatNodeParts parts)
    {
        builder
            .AddHocon(parts.Config, HoconAddMode.Append)
            .AddSetup(new LoggerFactorySetup(parts.Loggers))
            .WithRemoting(Remote(parts.Config))
            .WithClustering(new ClusterOptions { AppVersion = parts.Config.GetString("akka.cluster.app-version") })
            .WithDistributedData(new DDataOptions());
        var redis = parts.Settings.Redis;
        if (redis.Enabled && redis.Journal)
            builder.WithJournalAndSnapshot(
                new RedisJournalOptions { ConfigurationString = redis.Keystore, KeyPrefix = redis.JournalKeyPrefix },
                new RedisSnapshotOptions { ConfigurationString = redis.Keystore, KeyPrefix = redis.JournalKeyPrefix });
        return builder
            .WithActors((ActorStarter)((system, _) => StartOperationsAsync(system, parts)))
            .WithShardRegion<RoomActor>(RoomTypeName, (_, _, _) => id => RoomActor.Props(id, parts.RoomSettings, parts.Redis, parts.HistoryStore),
                new RoomMessageExtractor(parts.Settings.ShardCount),
                new ShardOptions { HandOffStopMessage = RoomHandOff.Instance }) // a room hands its history on before it stops
            .WithActors((system, registry) => StartNodeActors(system, registry, parts))
            .AddStartup((system, registry) => Join(system, registry, parts));
    }

    // The remoting values of the HOCON, declared to Akka.Hosting (equal values, so the HOCON stays the reference).
    private static RemoteOptions Remote(Akka.Configuration.Config config)
    {
        var tcp = config.GetConfig("akka.remote.dot-netty.tcp");
        var publicHost = tcp.GetString("public-hostname", "");
        return new RemoteOptions
        {
            HostName = tcp.GetString("hostname", "127.0.0.1"),
            Port = tcp.GetInt("port", 0),
            PublicHostName = publicHost.Length > 0 ? publicHost : null,
        };
    }

    private static async Task StartOperationsAsync(ActorSystem system, ChatNodeParts parts)
    {
        parts.System = system;
        parts.Operations = await NodeOperations.StartAsync(system, parts.Config, parts.Loggers, CancellationToken.None);
        var redis = parts.Settings.Redis;
        if (redis.Enabled)
        {
            var serverId = redis.ServerId.Length > 0 ? redis.ServerId
                : RedisChatSettings.DeriveServerId(((ExtendedActorSystem)system).Provider.DefaultAddress);
            parts.Redis = await RedisChatAdapter.ConnectAsync(redis, serverId, parts.Options.Node.SystemName, parts.Loggers.CreateLogger("ChatCluster.Redis"));
            // chatcluster.history.store: rooms with history also keep it in Redis, on the key store's connection.
            if (parts.RoomSettings.History.InRedis) parts.HistoryStore = parts.Redis.HistoryStore();
        }
        // The region's coordinator writes through the replicator with majority consistency: it must run before we join.
        Akka.DistributedData.DistributedData.Get(system);
    }

    private static void StartNodeActors(ActorSystem system, IActorRegistry registry, ChatNodeParts parts)
    {
        var settings = parts.Settings;
        var connections = parts.Connections;
        var middleware = new MiddlewareRegistry();
        foreach (var name in settings.Middleware) middleware.Add(BuiltInMiddleware.ByName(name, parts.Auth));
        parts.Options.RegisterMiddleware(middleware);
        var pipeline = new MiddlewarePipeline(system, middleware, settings.MiddlewareBufferSize, settings.MiddlewareParallelism);
        parts.Pipeline = pipeline;
        var partitions = settings.FanoutPartitions > 0 ? settings.FanoutPartitions : Environment.ProcessorCount;
        var lanes = new FanoutLanes(settings.FanoutLanes > 0 ? settings.FanoutLanes : Environment.ProcessorCount, settings.FanoutInlineMaxMembers);
        // A retried say may still arrive until the sender gives up; twice that is a safe memory for copies.
        var dedupeWindow = settings.SayRetryTimeout * 2;
        // The live room actors the fan-out hears from, for connections to say to directly (two hops less per say).
        var roomRefs = new RoomRefs();
        // Named actors still: other nodes reach fan-out and the directory by path (RoomActor, ChatApi); this node by key.
        registry.Register<NodeFanoutActor>(system.ActorOf(
            NodeFanoutActor.RouterProps(partitions, connections, pipeline, lanes, dedupeWindow, parts.Redis, roomRefs), NodeFanoutActor.Name));
        registry.Register<SayRetrySweeper>(system.ActorOf(SayRetrySweeper.Props(connections, settings.SayRetryInterval), SayRetrySweeper.Name));
        registry.Register<ConnectionDirectoryActor>(system.ActorOf(ConnectionDirectoryActor.Props(connections), ConnectionDirectoryActor.Name));

        var region = registry.Get<RoomActor>();
        var api = new ChatApi(system, region, connections, settings.RoomAskTimeout, pipeline, parts.Redis, settings.SayRetryTimeout);
        var actions = new ActionRegistry();
        foreach (var action in ChatNode.BuiltInActions()) actions.Add(action);
        parts.Options.RegisterActions(actions);
        var runner = new ActionRunner(actions, api, new ActionServices(system, connections, parts.Auth, parts.Loggers.CreateLogger("ChatCluster.Actions")));
        parts.Api = api;
        parts.Services = new NodeServices(region, registry.Get<NodeFanoutActor>(), connections, settings, pipeline, runner, parts.Files, roomRefs);
        parts.Operations!.Attach(region, connections, runner, parts.Redis);
    }

    // However the cluster shuts this node down (downed by the split-brain resolver on the minority side of a
    // partition, or removed by an operator), CoordinatedShutdown runs the drain's tasks (NodeDrain): its clients
    // get their goodbye before the actors stop.
    private static void Join(ActorSystem system, IActorRegistry registry, ChatNodeParts parts)
    {
        var cluster = Cluster.Get(system);
        // Named in the log line: the region this node answers with exists (Get throws when it does not).
        var region = registry.Get<RoomActor>().Path.ToStringWithoutAddress();
        if (parts.SeedNodes.Count == 0)
        {
            HostingLog.JoiningSelf(parts.Logger, cluster.SelfAddress.ToString(), region);
            cluster.Join(cluster.SelfAddress); // a cluster of one
            return;
        }
        HostingLog.JoiningSeeds(parts.Logger, string.Join(", ", parts.SeedNodes), region);
        cluster.JoinSeedNodes(parts.SeedNodes.Select(Address.Parse));
    }
}
