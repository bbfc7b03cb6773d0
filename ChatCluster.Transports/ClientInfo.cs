namespace ChatCluster.Transports;

/// <summary>What the transport knows about a new client when it hands it to the node.</summary>
/// <param name="Type">ActionHero's connection type: <c>"socket"</c> (TCP) or <c>"websocket"</c>.</param>
/// <param name="Fingerprint">websocket: the session key (<c>sessionID</c>) from the upgrade's query, else its cookie; otherwise null (= connection id).</param>
public sealed record ClientInfo(string Type, string RemoteIp, int RemotePort, string? Fingerprint);
