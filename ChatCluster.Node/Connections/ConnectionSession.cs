using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Transports;
using ChatCluster.Transports.Limits;

namespace ChatCluster.Node.Connections;

/// <summary>
/// The transport's handle on a connection actor: every call is a Tell, so the read loop never blocks. The say rate
/// limit (<c>chatcluster.limits.say-rates</c>) is decided here, on the read loop, so a flood never reaches the actor
/// as work; a refused say still goes to the actor (as <see cref="ConnectionInbox.Refused"/>) to be answered in order.
/// </summary>
public sealed class ConnectionSession : IClientSession
{
    private readonly IActorRef _actor;
    private readonly LimitsSettings _limits;
    private SayRateLimiter? _says; // made on the first say
    private int _closed;

    public ConnectionSession(string connectionId, IActorRef actor, LimitsSettings limits)
    {
        ConnectionId = connectionId;
        _actor = actor;
        _limits = limits;
    }

    public string ConnectionId { get; }

    public void Receive(ClientRequest request)
    {
        if (request.Verb == "say" && _limits.SayRates.Count > 0 && request.Arg(0) is { } room)
        {
            var verdict = (_says ??= new SayRateLimiter(_limits)).Say(room, Environment.TickCount64);
            if (verdict != RateVerdict.Allow)
            {
                _actor.Tell(new ConnectionInbox.Refused(request, ChatErrors.SayRateLimited, Disconnect: verdict == RateVerdict.Disconnect));
                return;
            }
        }
        _actor.Tell(new ConnectionInbox.Request(request));
    }

    public void LineTooLong(long receivedBytes, long maxBytes) => _actor.Tell(new ConnectionInbox.LineTooLong(receivedBytes, maxBytes));

    public void Break() => _actor.Tell(ConnectionInbox.Break.Instance);

    /// <summary>Ask the connection to say goodbye and close (as a drain does).</summary>
    public void Close() => _actor.Tell(new ConnectionProtocol.CloseConnection(ConnectionId));

    public void TransportClosed()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0) _actor.Tell(ConnectionInbox.TransportClosed.Instance);
    }
}
