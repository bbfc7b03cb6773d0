namespace ChatCluster.Node.Hosting;

/// <summary>The host's node, for code outside the actor system (null until the host has started).</summary>
public sealed class ChatNodeAccessor
{
    private readonly ChatNodeParts _parts;

    internal ChatNodeAccessor(ChatNodeParts parts) => _parts = parts;

    public ChatNode? Node => _parts.Node;
}
