using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using ChatCluster.Tests.Support;
using ChatCluster.Transports.Limits;

namespace ChatCluster.Tests.Limits;

/// <summary>
/// Our accept loop's socket connections take the host's buffer pool (<see cref="KestrelBlockPool"/>), not the shared
/// array pool the public options default to. Fails when an ASP.NET Core update removes the internal property the pool
/// is set through, so the lost pool (more CPU per message) is noticed.
/// </summary>
public sealed class KestrelBlockPoolTests : IClassFixture<NodeFixture>
{
    private readonly NodeFixture _node;

    public KestrelBlockPoolTests(NodeFixture node) => _node = node;

    public enum FactoryCase { None, AFactory }

    [Theory]
    [InlineData(FactoryCase.None, false)]
    [InlineData(FactoryCase.AFactory, true)]
    public void TryUse_should_set_the_pool_factory_when_there_is_one(FactoryCase factoryCase, bool used)
    {
        var factory = factoryCase == FactoryCase.AFactory ? new CountingFactory() : null;
        var options = new SocketConnectionFactoryOptions();
        Assert.Equal(used, KestrelBlockPool.TryUse(options, factory));
        if (factory is null) return;
        // The connections created from these options rent their pipes' memory from our pool.
        using var contexts = new SocketConnectionContextFactory(options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.True(factory.Created > 0);
    }

    [Fact]
    public void A_node_should_start_its_listeners_with_the_hosts_pool()
    {
        Assert.Empty(_node.Log.WithEvent(1105)); // LimitsLog.BlockPoolUnavailable
    }

    private sealed class CountingFactory : IMemoryPoolFactory<byte>
    {
        public int Created { get; private set; }

        public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
        {
            Created++;
            return MemoryPool<byte>.Shared;
        }
    }
}
