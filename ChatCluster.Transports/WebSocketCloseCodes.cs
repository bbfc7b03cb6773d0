namespace ChatCluster.Transports;

/// <summary>The RFC 6455 close codes the codecs emit.</summary>
public static class WebSocketCloseCodes
{
    public const ushort NormalClosure = 1000;
    public const ushort ProtocolError = 1002;
    public const ushort InvalidPayloadData = 1007;
    /// <summary>A limit of ours closed the connection (silent too long, rate limit broken again and again).</summary>
    public const ushort PolicyViolation = 1008;
    public const ushort MessageTooBig = 1009;
}
