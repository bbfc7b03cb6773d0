using ChatCluster.Messages.Commands;

namespace ChatCluster.Node.Commands;

/// <summary>
/// Every palette and verb the node serves, as data (pbm's palettes and names, plus <c>node</c> and <c>chat</c>).
/// The node sends this table to ccm on connect; ccm parses, completes and prints help from it.
/// </summary>
public static class CommandTable
{
    private static CommandSwitch Addr(bool mandatory, string what) => new("address", "a", what, Mandatory: mandatory);

    private static readonly CommandSwitch Room = new("room", "r", "room name", Mandatory: true);

    private static readonly CommandSwitch Connection = new("connection", "c", "connection id", Mandatory: true);

    public static readonly CommandPalette Actor = new("actor", "actors of this node", new CommandDefinition[]
    {
        new("actor", "system", "the actor system: name, address, uptime, actor count", Array.Empty<CommandSwitch>()),
        new("actor", "hierarchy", "the actor tree (connection actors collapsed with a count)", new CommandSwitch[]
        {
            new("depth", "d", "levels below /user and /system to show", Default: "2"),
            new("path", "s", "start at this actor path", Default: "/user"),
        }),
    });

    public static readonly CommandPalette Cluster = new("cluster", "Akka.NET cluster membership", new CommandDefinition[]
    {
        new("cluster", "show", "every member: address | [roles] | status | reachability | app-version", Array.Empty<CommandSwitch>()),
        new("cluster", "status", "this node's membership status", Array.Empty<CommandSwitch>()),
        new("cluster", "leader", "the cluster leader", Array.Empty<CommandSwitch>()),
        new("cluster", "leave", "a member leaves gracefully (its clients get their goodbye); default this node",
            new[] { Addr(false, "member to leave (default: this node)") }, Mutating: true),
        new("cluster", "join", "this node joins the cluster at ADDRESS", new[] { Addr(true, "member to join") }, Mutating: true),
        new("cluster", "down", "mark a member down (it is removed without leaving)", new[] { Addr(true, "member to down") }, Mutating: true),
        new("cluster", "down-unreachable", "down every unreachable member", Array.Empty<CommandSwitch>(), Mutating: true),
        new("cluster", "tail", "member and reachability events, live, until Ctrl-C", Array.Empty<CommandSwitch>(), Streaming: true),
    });

    public static readonly CommandPalette Sharding = new("cluster-sharding", "Akka.Cluster.Sharding regions", new CommandDefinition[]
    {
        new("cluster-sharding", "regions", "the shard regions this node runs", Array.Empty<CommandSwitch>()),
        new("cluster-sharding", "region-stats", "shards and entity counts of this node's region",
            new[] { new CommandSwitch("region", "r", "region type name", Mandatory: true) }),
        new("cluster-sharding", "shard-stats", "shards and entity counts across the cluster, by node",
            new[] { new CommandSwitch("region", "r", "region type name", Mandatory: true) }),
    });

    public static readonly CommandPalette Log = new("log", "this node's log", new CommandDefinition[]
    {
        new("log", "recent", "the most recent log lines", new[] { new CommandSwitch("count", "n", "how many lines", Default: "50") }),
        new("log", "tail", "log lines as they are written, until Ctrl-C", Array.Empty<CommandSwitch>(), Streaming: true),
        new("log", "set-level", "change the log level of this node", new[]
        {
            new CommandSwitch("level", "l", "new level", Mandatory: true,
                AllowedValues: new[] { "trace", "debug", "information", "warning", "error" }),
        }, Mutating: true),
    });

    public static readonly CommandPalette Node = new("node", "this ChatCluster node", new CommandDefinition[]
    {
        new("node", "status", "version, uptime, listeners, config sources, connections, rooms hosted here, overflows", Array.Empty<CommandSwitch>()),
        new("node", "drain", "stop accepting, say goodbye to every client, hand rooms over, leave the cluster",
            new[] { new CommandSwitch("timeout", "t", "how long to wait for the node to leave", Default: "30s") }, Mutating: true),
    });

    public static readonly CommandPalette Chat = new("chat", "rooms and connections, cluster-wide", new CommandDefinition[]
    {
        new("chat", "rooms", "every room: name, members, shard, node", Array.Empty<CommandSwitch>()),
        new("chat", "room", "one room's members with their node and joinedAt", new[] { Room }),
        new("chat", "create", "create a room", new[] { Room }, Mutating: true),
        new("chat", "destroy", "destroy a room (members are told and removed)", new[] { Room }, Mutating: true),
        new("chat", "connections", "connections held by this node", new[]
        {
            new CommandSwitch("transport", "t", "only this transport", AllowedValues: new[] { "tcp", "websocket" }),
            new CommandSwitch("limit", "n", "at most this many", Default: "100"),
        }),
        new("chat", "connection", "one connection, on any node", new[]
        {
            Connection,
            new CommandSwitch("show-properties", "p", "print property values (redacted by default)", IsFlag: true),
        }),
        new("chat", "send", "send a message (a JSON object) to a connection on any node", new[]
        {
            Connection, new CommandSwitch("message", "m", "JSON object", Mandatory: true, IsBody: true),
        }, Mutating: true),
        new("chat", "broadcast", "a server message (from \"0\") to every member of a room", new[]
        {
            Room, new CommandSwitch("message", "m", "message text", Mandatory: true, IsBody: true),
        }, Mutating: true),
        new("chat", "kick", "close a connection (goodbye), or with -r only remove it from that room", new[]
        {
            Connection, new CommandSwitch("room", "r", "only leave this room"),
        }, Mutating: true),
        new("chat", "set", "set a connection property (ActionHero's connection.set)", new[]
        {
            Connection, new CommandSwitch("key", "k", "property name", Mandatory: true),
            new CommandSwitch("value", "v", "JSON value", Mandatory: true, IsBody: true),
        }, Mutating: true),
    });

    public static readonly IReadOnlyList<CommandPalette> All = new[] { Actor, Cluster, Sharding, Log, Node, Chat };

    public static CommandDefinition? Find(string palette, string verb) =>
        All.FirstOrDefault(p => p.Name == palette)?.Command(verb);
}
