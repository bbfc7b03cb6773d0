using System.Net;
using System.Net.Sockets;

namespace ChatCluster.Tests.Support;

/// <summary>A loopback port that was free a moment ago (for child processes that need a fixed port).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
