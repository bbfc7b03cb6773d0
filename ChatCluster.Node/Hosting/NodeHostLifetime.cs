using Microsoft.Extensions.Hosting;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// The lifetime of a host that <see cref="ChatNode.StartAsync(NodeOptions, CancellationToken)"/> owns: no signal
/// handlers (the executable's <see cref="NodeCommand"/> turns SIGTERM into a drain; a test process holds many nodes).
/// </summary>
internal sealed class NodeHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
