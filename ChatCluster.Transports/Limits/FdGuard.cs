using Microsoft.Win32.SafeHandles;

namespace ChatCluster.Transports.Limits;

/// <summary>
/// Keeps the node off the open-file limit when connections alone did not (other descriptors grew, or
/// max-connections was set too close to it). The .NET runtime itself opens files while it runs — it reads
/// <c>/proc/sys/vm/overcommit_memory</c> when it reserves memory, and loads assemblies — and aborts the process with
/// "Out of memory." (exit 134) when it cannot: a node must never spend its last descriptors on sockets.
///
/// <code>
///   accepting (reserve held) --accept fails: EMFILE/ENFILE--> release the reserve to the runtime,
///                                                               ceiling := sockets open - reserve size
///   paused (sockets >= ceiling, or the reserve cannot be taken back) --sockets close, reserve retaken--> accepting
/// </code>
/// The reserve is <c>chatcluster.limits.fd-reserve</c> handles on /dev/null, taken at start. Connections past the
/// ceiling wait in the kernel's listen backlog (or time out there) instead of taking the runtime's descriptors.
/// Thread-safe: the listeners of a node share one guard.
/// </summary>
public sealed class FdGuard : IDisposable
{
    private const string ReservePath = "/dev/null";

    private readonly int _size;
    private readonly Lock _gate = new();
    private SafeFileHandle[]? _reserve;
    private int _ceiling = int.MaxValue;
    private int _sockets; // accepted and not yet closed, every listener of the node

    public FdGuard(int size)
    {
        _size = File.Exists(ReservePath) ? size : 0;
        TryTakeReserve();
    }

    /// <summary>Sockets this node keeps open at most since it met the fd limit (int.MaxValue before).</summary>
    public int Ceiling => Volatile.Read(ref _ceiling);

    public bool ReserveHeld
    {
        get { lock (_gate) return _reserve is not null || _size == 0; }
    }

    /// <summary>Sockets accepted and not yet closed.</summary>
    public int Sockets => Volatile.Read(ref _sockets);

    public void SocketOpened() => Interlocked.Increment(ref _sockets);

    public void SocketClosed() => Interlocked.Decrement(ref _sockets);

    /// <summary>Accept found the fd limit: give the runtime the reserve and accept fewer sockets from now on.
    /// Returns the new ceiling.</summary>
    public int OnExhausted()
    {
        lock (_gate)
        {
            Release();
            var ceiling = Math.Max(0, Sockets - _size);
            if (ceiling < _ceiling) _ceiling = ceiling;
            return _ceiling;
        }
    }

    /// <summary>Whether a listener may accept now. Below the ceiling, a released reserve is taken back first.</summary>
    public bool MayAccept()
    {
        if (Sockets >= Volatile.Read(ref _ceiling)) return false;
        lock (_gate) return _reserve is not null || _size == 0 || TryTakeReserve();
    }

    // Under the gate (or in the constructor).
    private bool TryTakeReserve()
    {
        if (_size == 0) return true;
        var handles = new SafeFileHandle[_size];
        var taken = 0;
        try
        {
            for (; taken < _size; taken++) handles[taken] = File.OpenHandle(ReservePath, FileMode.Open, FileAccess.Read);
            _reserve = handles;
            return true;
        }
        catch (IOException)
        {
            for (var i = 0; i < taken; i++) handles[i].Dispose();
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            for (var i = 0; i < taken; i++) handles[i].Dispose();
            return false;
        }
    }

    private void Release()
    {
        if (_reserve is null) return;
        foreach (var handle in _reserve) handle.Dispose();
        _reserve = null;
    }

    public void Dispose()
    {
        lock (_gate) Release();
    }
}
