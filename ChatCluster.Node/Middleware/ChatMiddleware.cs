using System.Text.Json.Nodes;
using ChatCluster.Node.Core;

namespace ChatCluster.Node.Middleware;

/// <summary>A join or leave hook: runs on the node holding the connection, before anything changes.</summary>
public delegate ValueTask<RoomVerdict> RoomHook(ConnectionView connection, string room);

/// <summary>
/// An onSayReceive or say hook. <paramref name="payload"/> is the chat payload
/// (<c>{message, room, from, context, sentAt}</c>), a copy the hook may change and return.
/// </summary>
public delegate ValueTask<SayVerdict> SayHook(ConnectionView connection, string room, JsonObject payload);

/// <summary>
/// One chat middleware (ActionHero's <c>chatRoom.addMiddleware</c>): a name, a priority (lower runs first,
/// equal priorities keep registration order) and any of the four hooks; a missing hook passes through.
/// <list type="bullet">
/// <item><see cref="Join"/> / <see cref="Leave"/>: may refuse; the client gets the refusal as the verb's error.</item>
/// <item><see cref="OnSayReceive"/>: once per message on the sender's node, before it is ordered and fanned out;
/// may rewrite <c>message</c>, <c>room</c>, <c>from</c>, <c>sentAt</c> (other fields are dropped, as in
/// ActionHero), silence the message for everyone, or refuse (error to the sender).</item>
/// <item><see cref="Say"/>: once per receiving connection; may add fields, silence for that recipient;
/// a hook that throws is logged and that recipient gets nothing.</item>
/// </list>
/// A hook that throws in join/leave/onSayReceive refuses with the exception's message.
/// </summary>
public sealed record ChatMiddleware(string Name)
{
    public const int DefaultPriority = 100;

    public int Priority { get; init; } = DefaultPriority;

    public RoomHook? Join { get; init; }

    public RoomHook? Leave { get; init; }

    public SayHook? OnSayReceive { get; init; }

    public SayHook? Say { get; init; }
}
