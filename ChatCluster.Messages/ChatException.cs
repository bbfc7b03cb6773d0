namespace ChatCluster.Messages;

/// <summary>A refusal from the chat API; <see cref="Exception.Message"/> is the catalogue text (ChatErrors).</summary>
public sealed class ChatException(string message) : Exception(message);
