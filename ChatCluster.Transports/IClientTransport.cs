namespace ChatCluster.Transports;

/// <summary>
/// The one interface between a connection's logic and its socket, the same for TCP and websocket:
/// queue a JSON message, say goodbye, or drop the client. All methods are thread-safe and never block:
/// messages are framed straight into the socket's pipe, or into a bounded backlog while the socket is full.
/// </summary>
public interface IClientTransport
{
    /// <summary>ActionHero's connection type, <c>"socket"</c> or <c>"websocket"</c>.</summary>
    string Type { get; }

    /// <summary>How replies, errors and pushes are shaped on this transport.</summary>
    IResponseFormat Format { get; }

    /// <summary>What the verbs mean on this transport (ActionHero 20 socket or 29 websocket), beside <see cref="Format"/>.</summary>
    ClientDialect Dialect { get; }

    /// <summary>
    /// Queue one JSON value (no delimiter, no framing). Returns false when the connection is closing or its
    /// outbound queue overflowed; an overflow closes the connection (slow consumer policy).
    /// </summary>
    bool Send(ReadOnlyMemory<byte> json);

    /// <summary>
    /// As <see cref="Send"/>, but the bytes wait for the next <see cref="Flush"/> (or any later send): the fan-out
    /// writes a burst of messages and then flushes each socket once, so a busy member gets them in one socket write.
    /// </summary>
    bool Write(ReadOnlyMemory<byte> json);

    /// <summary>
    /// <see cref="Send"/> the reply to a client request: the request is then done, one less in flight (the read loop
    /// stops reading at <c>chatcluster.limits.max-requests-in-flight</c>). Every request gets exactly one reply.
    /// </summary>
    bool Reply(ReadOnlyMemory<byte> json) => Send(json);

    /// <summary>
    /// Queue bytes as they are, with no framing: ActionHero 20's socket server pipes a file's bytes to the client with
    /// no JSON and no delimiter (the TCP <c>file</c> verb, <see cref="FileRule.StickyParamRawBytes"/>). A transport
    /// that can only send whole messages sends them as one.
    /// </summary>
    bool SendUnframed(byte[] bytes) => Send(bytes);

    /// <summary>Hand whatever <see cref="Write"/> left unflushed to the socket. Cheap when there is nothing.</summary>
    void Flush();

    /// <summary>Deliberate close: TCP writes the <c>Bye!</c> line, websocket <c>"primus::server::close"</c>, then the socket closes.</summary>
    void Goodbye();

    /// <summary>
    /// Send one last message (an error saying why) and close: a limit ends the connection. TCP: the line, then the
    /// socket closes; websocket: the frame, then a close frame 1008.
    /// </summary>
    bool SendThenClose(ReadOnlyMemory<byte> json, string reason)
    {
        var sent = Send(json);
        Goodbye();
        return sent;
    }

    /// <summary>Close without a goodbye (heartbeat timeout, overflow, shutdown of a broken socket).</summary>
    void Abort(string reason);
}
