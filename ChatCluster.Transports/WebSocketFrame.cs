namespace ChatCluster.Transports;

public enum WebSocketOpcode : byte
{
    Continuation = 0,
    Text = 1,
    Binary = 2,
    Close = 8,
    Ping = 9,
    Pong = 10,
}

/// <summary>One RFC 6455 frame as received from a client; <paramref name="Payload"/> is already unmasked.</summary>
public readonly record struct WebSocketFrame(bool Fin, WebSocketOpcode Opcode, byte[] Payload)
{
    public bool IsControl => (byte)Opcode >= 8;
}
