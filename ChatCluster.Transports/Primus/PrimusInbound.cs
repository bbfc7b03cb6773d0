namespace ChatCluster.Transports.Primus;

public enum PrimusInboundKind
{
    /// <summary>An application frame: a JSON object with an <c>event</c>.</summary>
    Request,
    /// <summary><c>"primus::pong::&lt;ms&gt;"</c>, the answer to our heartbeat.</summary>
    Pong,
    /// <summary><c>"primus::id::"</c>: the client asks for its spark id.</summary>
    IdRequest,
    /// <summary>Not JSON, or JSON that is no request: ActionHero ignores it silently.</summary>
    Ignored,
    /// <summary>A message we refuse with a short error (<see cref="PrimusInbound.Error"/>) instead of acting on it.</summary>
    Refused,
}

/// <summary>One decoded websocket text message.</summary>
public readonly record struct PrimusInbound(PrimusInboundKind Kind, ClientRequest? Request, string? Error = null)
{
    public static PrimusInbound Refuse(string error) => new(PrimusInboundKind.Refused, null, error);

    public static readonly PrimusInbound Pong = new(PrimusInboundKind.Pong, null);
    public static readonly PrimusInbound IdRequest = new(PrimusInboundKind.IdRequest, null);
    public static readonly PrimusInbound Ignored = new(PrimusInboundKind.Ignored, null);
}
