using StackExchange.Redis;

namespace ChatCluster.Persistence.Redis;

/// <summary>
/// One lazily opened <see cref="ConnectionMultiplexer"/> per plugin actor. The first operation starts
/// <see cref="ConnectionMultiplexer.ConnectAsync(ConfigurationOptions, TextWriter)"/> (abortConnect off: it returns
/// even when Redis is down and keeps reconnecting in the background); every later operation shares it. Commands issued
/// while disconnected wait in the client's backlog and fail after its asyncTimeout, so nothing waits forever.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly RedisPersistenceSettings _settings;
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;
    private int _disposed;

    public RedisConnection(RedisPersistenceSettings settings)
    {
        _settings = settings;
        _multiplexer = new Lazy<Task<ConnectionMultiplexer>>(
            () => ConnectionMultiplexer.ConnectAsync(settings.RedisOptions.Clone()),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The configured database, connecting on first use.</summary>
    public async Task<IDatabase> DatabaseAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await _multiplexer.Value.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new RedisPersistenceException(
                $"{_settings.PluginId}: cannot connect to Redis with configuration-string \"{_settings.ConfigurationString}\": {e.Message}", e);
        }
        return multiplexer.GetDatabase(_settings.Database);
    }

    /// <summary>Closes the multiplexer if it was opened (also when it is still connecting).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || !_multiplexer.IsValueCreated) return;
        _multiplexer.Value.ContinueWith(
            static t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
