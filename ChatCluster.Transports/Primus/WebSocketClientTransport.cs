using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Transports.Primus;

/// <summary>
/// The outbound side of one websocket (Primus) client: every JSON value is one unmasked text frame;
/// control frames (pong, close) are queued already framed.
/// </summary>
public sealed class WebSocketClientTransport : PipeClientTransport
{
    private readonly Action _endReadLoop;
    private volatile bool _alive = true;

    public WebSocketClientTransport(PipeWriter output, TransportSettings settings, ILogger logger, Action endReadLoop)
        : base(output, settings, logger)
    {
        _endReadLoop = endReadLoop;
    }

    public override string Type => "websocket";

    public override IResponseFormat Format => WebSocketResponseFormat.Instance;

    public override ClientDialect Dialect => ClientDialect.WebSocket;

    /// <summary>Cleared at every heartbeat tick, set by a pong (or a websocket-level ping) from the client.</summary>
    public bool Alive
    {
        get => _alive;
        set => _alive = value;
    }

    /// <summary>Answer a websocket-level ping.</summary>
    public void Pong(ReadOnlySpan<byte> payload) => SendRaw(Frame(WebSocketOpcode.Pong, payload), thenEnd: false);

    /// <summary>Close with a status code (protocol error, too big, or echoing the client's close).</summary>
    public void CloseWith(ushort? code)
    {
        var buffer = new ArrayBufferWriter<byte>(8);
        WebSocketFrameCodec.WriteClose(buffer, code);
        if (!SendRaw(buffer.WrittenSpan.ToArray(), thenEnd: true)) _endReadLoop();
    }

    protected override void WriteMessage(PipeWriter output, ReadOnlySpan<byte> json) =>
        WebSocketFrameCodec.WriteFrame(output, WebSocketOpcode.Text, json);

    // Primus' deliberate close: the notice, then a close frame with an empty body (the client sees 1005).
    protected override void WriteGoodbye(PipeWriter output)
    {
        WebSocketFrameCodec.WriteFrame(output, WebSocketOpcode.Text, WebSocketResponseFormat.ServerClose);
        WebSocketFrameCodec.WriteClose(output, null);
    }

    // A limit closed the connection: the error, then a close frame saying "policy violation".
    protected override void WriteMessageThenClose(PipeWriter output, ReadOnlySpan<byte> json)
    {
        WebSocketFrameCodec.WriteFrame(output, WebSocketOpcode.Text, json);
        WebSocketFrameCodec.WriteClose(output, WebSocketCloseCodes.PolicyViolation);
    }

    protected override void OnGoodbyeWritten() => _endReadLoop();

    protected override void OnAbort() => _endReadLoop();

    private static byte[] Frame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        var buffer = new ArrayBufferWriter<byte>(payload.Length + 2);
        WebSocketFrameCodec.WriteFrame(buffer, opcode, payload);
        return buffer.WrittenSpan.ToArray();
    }
}
