namespace ChatCluster.Messages;

/// <summary>Messages to a connection wherever it lives (ActionHero's <c>connection.sendMessage</c> and <c>set</c>).</summary>
public static class ConnectionProtocol
{
    /// <summary>Send a server message (a JSON object) to one connection, with the transport's sendMessage rules.</summary>
    public sealed record SendMessage(string ConnectionId, string MessageJson) : IChatMessage;

    /// <summary>Reply to <see cref="SendMessage"/>: false when no such connection is held.</summary>
    public sealed record SendMessageReply(string ConnectionId, bool Delivered) : IChatMessage;

    /// <summary>Close the connection from the server side (the client gets the transport's goodbye).</summary>
    public sealed record CloseConnection(string ConnectionId) : IChatMessage;
}
