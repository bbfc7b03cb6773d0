namespace ChatCluster.Transports.Limits;

/// <summary>Waits between failed accepts: <c>min</c>, then doubling up to <c>max</c>. A value; reset by starting anew.</summary>
public struct AcceptBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private TimeSpan _next;

    private AcceptBackoff(TimeSpan min, TimeSpan max)
    {
        _min = min;
        _max = max;
        _next = min;
    }

    public static AcceptBackoff Start(TimeSpan min, TimeSpan max) => new(min, max);

    public TimeSpan Next()
    {
        var wait = _next < _min ? _min : _next;
        var doubled = wait * 2;
        _next = doubled > _max ? _max : doubled;
        return wait > _max ? _max : wait;
    }
}
