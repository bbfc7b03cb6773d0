using System.Net;
using System.Net.Sockets;
using Akka.Configuration;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// A fixed Akka remoting port must be free before the actor system starts: the remoting transport binds with address
/// reuse, so a second node on a port already in use would otherwise start anyway, alone, and form a cluster of its own
/// (issue 12). Port 0 (any free port) needs no check.
/// </summary>
public static class RemotingPortCheck
{
    /// <summary>Throws <see cref="ConfigurationException"/> naming the port when something already listens on it.</summary>
    public static void EnsureFree(Config config)
    {
        var port = config.GetInt("akka.remote.dot-netty.tcp.port");
        if (port <= 0) return;
        var host = config.GetString("akka.remote.dot-netty.tcp.hostname", "");
        var bindHost = config.GetString("akka.remote.dot-netty.tcp.bind-hostname", "");
        var address = Resolve(bindHost.Length > 0 ? bindHost : host);
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.ExclusiveAddressUse = true;
        try
        {
            probe.Bind(new IPEndPoint(address, port));
            probe.Listen(1);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new ConfigurationException(
                $"the Akka remoting port {port} on {address} is already in use (akka.remote.dot-netty.tcp.port, --akka-port): " +
                "another node is running there; start this one on another port");
        }
    }

    private static IPAddress Resolve(string host)
    {
        if (host.Length == 0 || host == "0.0.0.0") return IPAddress.Any;
        if (IPAddress.TryParse(host, out var ip)) return ip;
        return Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? IPAddress.Loopback;
    }
}
