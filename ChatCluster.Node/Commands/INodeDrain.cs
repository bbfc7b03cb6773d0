namespace ChatCluster.Node.Commands;

/// <summary>
/// How <c>node drain</c> (and <c>cluster leave</c> of a node) stops a node: stop accepting, goodbyes, hand rooms over,
/// leave. The default runs the node's graceful stop; a CoordinatedShutdown-phased drain can replace it by
/// implementing this. Progress lines are reported as they happen; the task ends once the node has left.
/// </summary>
public interface INodeDrain
{
    Task DrainAsync(Action<string> progress, TimeSpan timeout);
}
