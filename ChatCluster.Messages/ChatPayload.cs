namespace ChatCluster.Messages;

/// <summary>
/// One chat message as it travels between nodes (ActionHero's bus message, spec 2.1):
/// <paramref name="MessageJson"/> is the message value as raw JSON text (over the verbs a JSON string,
/// from the server API any JSON value). <paramref name="From"/> is the sender's connection id, "0" for the server.
/// </summary>
public sealed record ChatPayload(string Room, string From, string MessageJson, long SentAt) : IChatMessage
{
    public const string ServerSender = "0";
}
