using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Hosting;

/// <summary>The node's start steps, with stable event ids (22xx: hosting).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(2201, LogLevel.Information, "joining the cluster through seed nodes {SeedNodes}: serializers and the room region {Region} exist")]
    public static partial void JoiningSeeds(ILogger logger, string seedNodes, string region);

    [LoggerMessage(2202, LogLevel.Information, "forming a cluster of one at {Address}: serializers and the room region {Region} exist")]
    public static partial void JoiningSelf(ILogger logger, string address, string region);

    [LoggerMessage(2203, LogLevel.Warning, "starting room {Room} did not answer yet (attempt {Attempt}); retrying")]
    public static partial void StartingRoomRetry(ILogger logger, string room, int attempt);
}
