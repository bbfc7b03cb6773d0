namespace ChatCluster.Transports;

internal enum OutboundKind : byte
{
    /// <summary>A JSON value, framed by the transport.</summary>
    Message,
    /// <summary>The transport's goodbye, then the connection ends.</summary>
    Goodbye,
    /// <summary>Bytes already framed (websocket control frames), written as they are.</summary>
    Raw,
    /// <summary>Bytes already framed (a websocket close frame), then the connection ends.</summary>
    RawThenEnd,
    /// <summary>A JSON value (an error saying why), then the transport's close; the connection ends.</summary>
    MessageThenEnd,
}

/// <summary>One entry of a connection's outbound queue: a JSON value (shared bytes, never copied) or a control item.</summary>
internal readonly record struct OutboundItem(ReadOnlyMemory<byte> Json, OutboundKind Kind);
