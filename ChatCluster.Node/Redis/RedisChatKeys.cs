using StackExchange.Redis;

namespace ChatCluster.Node.Redis;

/// <summary>
/// Every Redis name ActionHero's chat uses, on one screen (spec section 1 and 2). No prefix, no TTLs:
/// <code>
///   actionhero:chatRoom:rooms            SET   room names
///   actionhero:chatRoom:members:{room}   HASH  connection id -> {"id","joinedAt","host"} (JSON text)
///   {channel}                            pub/sub channel for chat, do and doResponse (config.general.channel)
/// </code>
/// The RPC method paths we answer and send are here too.
/// </summary>
public static class RedisChatKeys
{
    public const string Rooms = "actionhero:chatRoom:rooms";

    public const string MembersPrefix = "actionhero:chatRoom:members:";

    public static RedisKey RoomsKey { get; } = new(Rooms);

    public static RedisKey Members(string room) => new(MembersPrefix + room);

    public static RedisChannel Channel(string channel) => RedisChannel.Literal(channel);

    // ---- bus message types (messageType) ----
    public const string Chat = "chat";
    public const string Do = "do";
    public const string DoResponse = "doResponse";

    // ---- RPC methods (do.method) ----
    public const string RemoveMember = "api.chatRoom.removeMember";
    public const string AddMember = "api.chatRoom.addMember";
    public const string ApplyResponder = "api.connections.applyResponder";
    public const string Log = "api.log";

    /// <summary>The api.log notices a node sends when it starts and stops.</summary>
    public static string JoinedNotice(string serverId) => $"actionhero member {serverId} has joined the cluster";

    public static string LeftNotice(string serverId) => $"actionhero member {serverId} has left the cluster";
}
