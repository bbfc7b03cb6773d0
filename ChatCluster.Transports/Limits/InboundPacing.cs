namespace ChatCluster.Transports.Limits;

/// <summary>
/// One connection's inbound byte rate (<c>chatcluster.limits.inbound-bytes-per-second</c>, burst
/// <c>inbound-burst-bytes</c>): the read loop charges what it consumed and, when the bucket is in debt, waits before
/// reading again. Backpressure, not an error: the kernel's buffers fill and the client slows down. Off at rate 0.
/// </summary>
public struct InboundPacing
{
    private readonly double _rate;
    private readonly double _burst;
    private TokenBucket _bucket;

    public InboundPacing(LimitsSettings limits)
    {
        _rate = limits.InboundBytesPerSecond;
        _burst = limits.InboundBurstBytes;
    }

    public Task AfterAsync(long consumedBytes)
    {
        if (_rate <= 0 || consumedBytes <= 0) return Task.CompletedTask;
        var wait = _bucket.Charge(consumedBytes, Environment.TickCount64, _rate, _burst);
        return wait > TimeSpan.Zero ? Task.Delay(wait) : Task.CompletedTask;
    }
}
