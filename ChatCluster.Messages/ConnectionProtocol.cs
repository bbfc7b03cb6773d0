namespace ChatCluster.Messages;

/// <summary>Messages to a connection wherever it lives (ActionHero's <c>connection.sendMessage</c> and <c>set</c>).</summary>
public static class ConnectionProtocol
{
    /// <summary>Send a server message (a JSON object) to one connection, with the transport's sendMessage rules.</summary>
    public sealed record SendMessage(string ConnectionId, string MessageJson) : IChatMessage;

    /// <summary>Set a property on the connection (ActionHero's <c>connections.apply(id, "set", [key, value])</c>); value as JSON.</summary>
    public sealed record SetProperty(string ConnectionId, string Key, string ValueJson) : IChatMessage;

    /// <summary>Close the connection from the server side (the client gets the transport's goodbye).</summary>
    public sealed record CloseConnection(string ConnectionId) : IChatMessage;

    /// <summary>Reply to every connection command: <paramref name="Done"/> is false when the node holds no such connection.</summary>
    public sealed record ConnectionReply(string ConnectionId, bool Done) : IChatMessage;
}
