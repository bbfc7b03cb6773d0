using Akka.Actor;
using Akka.Cluster.Sharding;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Operations;

/// <summary>
/// Asks the room shard region every <c>chatcluster.management.stats-interval</c> which shards and rooms it runs here,
/// for <c>/metrics</c>: a scrape reads the last answer and never waits on the actor system.
/// </summary>
public sealed class ShardStatsPoller : IDisposable
{
    private readonly IActorRef _region;
    private readonly ChatMetrics _metrics;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();

    public ShardStatsPoller(IActorRef region, ChatMetrics metrics, TimeSpan interval, ILogger logger)
    {
        _region = region;
        _metrics = metrics;
        _interval = interval;
        _logger = logger;
        _ = RunAsync();
    }

    public void Dispose() => _stop.Cancel();

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_interval);
        do
        {
            try
            {
                var state = await _region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, _interval, _stop.Token);
                _metrics.ShardsReported(state.Shards.Count, state.Shards.Sum(s => s.EntityIds.Count));
            }
            catch (Exception e) when (e is OperationCanceledException)
            {
                return;
            }
            catch (Exception)
            {
                // Timed out, or the actor system is stopping: the figures stay as they were until the next answer.
                OperationsLog.ShardStatsTimedOut(_logger, (long)_interval.TotalMilliseconds);
            }
        } while (await WaitAsync(timer));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
