using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace ChatCluster.Transports.Limits;

/// <summary>
/// Gives our socket connections Kestrel's own buffer pool. <see cref="SocketConnectionFactoryOptions"/> built with its
/// public constructor (as <see cref="BackoffSocketTransportFactory"/> must, to keep its own accept loop) falls back to
/// <c>MemoryPool&lt;byte&gt;.Shared</c>: every socket pipe segment then comes from the shared array pool, which under
/// chat load (hundreds of sockets with a send or a read pending at once) runs dry and allocates a fresh 4 kB array
/// per segment, and each send and receive pins its buffer anew. Profiled in a 1000-client rooms run: ~5 % of the
/// node's CPU in those allocations (docs/benchmarks.md, issue 16). Kestrel's pool (pinned 4 kB blocks, reused, with
/// its own idle eviction) is what its built-in socket transport uses; the options only accept it through an internal
/// property, so it is set by reflection. When that property is missing (another ASP.NET Core version) nothing
/// changes and the caller logs it; <c>KestrelBlockPoolTests</c> fails then, so the loss is seen.
/// </summary>
public static class KestrelBlockPool
{
    private const string PropertyName = "MemoryPoolFactory";

    /// <summary>Sets <paramref name="factory"/> as the options' pool factory. False when the options cannot take it.</summary>
    public static bool TryUse(SocketConnectionFactoryOptions options, IMemoryPoolFactory<byte>? factory)
    {
        if (factory is null) return false;
        var property = typeof(SocketConnectionFactoryOptions).GetProperty(PropertyName, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        if (property is null || !property.CanWrite || !property.PropertyType.IsInstanceOfType(factory)) return false;
        property.SetValue(options, factory);
        return true;
    }
}
