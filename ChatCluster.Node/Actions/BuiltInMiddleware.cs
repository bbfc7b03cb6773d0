using Akka.Configuration;
using ChatCluster.Messages;
using ChatCluster.Node.Actions.BuiltIn;
using ChatCluster.Node.Middleware;

namespace ChatCluster.Node.Actions;

/// <summary>Middleware that ships with the node, switched on by name in <c>chatcluster.middleware</c>.</summary>
public static class BuiltInMiddleware
{
    public const string AuthenticatedRoomsName = "authenticated-rooms";
    public const string NoEchoName = "no-echo";

    /// <summary>
    /// The second half of ActionHero's authenticated-room recipe: a join hook that refuses rooms matching
    /// <c>chatcluster.auth.protected-rooms</c> unless the <c>authenticate</c> action marked the connection.
    /// </summary>
    public static ChatMiddleware AuthenticatedRooms(AuthSettings auth) => new(AuthenticatedRoomsName)
    {
        Priority = 10,
        Join = (connection, room) => ValueTask.FromResult(
            auth.IsProtected(room) && !connection.Is(AuthenticateAction.AuthenticatedProperty)
                ? RoomVerdict.Refuse(ChatErrors.AuthenticationRequired)
                : RoomVerdict.Allow),
    };

    /// <summary>The docs' squelch example: a say hook that does not echo a message back to its sender.</summary>
    public static ChatMiddleware NoEcho() => new(NoEchoName)
    {
        Say = (connection, _, payload) => ValueTask.FromResult(
            (string?)payload["from"] == connection.Id ? SayVerdict.Silence : SayVerdict.Deliver(payload)),
    };

    public static ChatMiddleware ByName(string name, AuthSettings auth) => name switch
    {
        AuthenticatedRoomsName => AuthenticatedRooms(auth),
        NoEchoName => NoEcho(),
        _ => throw new ConfigurationException(
            $"chatcluster.middleware: unknown middleware \"{name}\" (known: {AuthenticatedRoomsName}, {NoEchoName})"),
    };
}
