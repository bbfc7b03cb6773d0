using System.Runtime.InteropServices;

namespace ChatCluster.Transports;

/// <summary>
/// A process-wide running total for hot paths (bytes flushed, messages delivered): adding is one uncontended
/// interlocked add on the current core's own cache line, and the metrics exporter reads the sum only when it is
/// scraped. A shared <c>Interlocked</c> field would bounce one cache line between the cores on every message, and
/// a <c>Counter&lt;T&gt;.Add</c> per message would call every listener per message.
/// </summary>
public sealed class StripedCounter
{
    // One cell per 64-byte line: two cores never write the same line.
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct Cell
    {
        [FieldOffset(0)] public long Value;
    }

    private readonly Cell[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        var size = 1;
        while (size < Environment.ProcessorCount) size <<= 1;
        _cells = new Cell[size];
        _mask = size - 1;
    }

    public void Add(long value) => Interlocked.Add(ref _cells[Thread.GetCurrentProcessorId() & _mask].Value, value);

    public void Increment() => Add(1);

    /// <summary>The total so far (each cell read atomically; adds racing the read land in the next one).</summary>
    public long Value
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _cells.Length; i++) sum += Interlocked.Read(ref _cells[i].Value);
            return sum;
        }
    }
}
