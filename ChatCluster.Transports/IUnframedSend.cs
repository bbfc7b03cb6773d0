namespace ChatCluster.Transports;

/// <summary>
/// A transport that can also write bytes as they are, with no framing: ActionHero 20's socket server pipes a file's
/// bytes to the client with no JSON and no delimiter (the TCP <c>file</c> verb).
/// </summary>
public interface IUnframedSend
{
    /// <summary>Queue the bytes as they are; false when the connection is closing or its backlog overflowed.</summary>
    bool SendUnframed(byte[] bytes);
}
