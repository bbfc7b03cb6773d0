namespace ChatCluster.Transports;

/// <summary>Implemented by the node: turns a new socket into a connection (an actor) and returns its inbox.</summary>
public interface IConnectionHost
{
    IClientSession Open(IClientTransport transport, ClientInfo info);
}
