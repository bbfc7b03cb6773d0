using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Transports.Tcp;

/// <summary>The outbound side of one TCP client: every JSON value is written followed by <c>\r\n</c>.</summary>
public sealed class TcpClientTransport : PipeClientTransport
{
    private static ReadOnlySpan<byte> CrLf => "\r\n"u8;

    private readonly ConnectionContext _connection;

    public TcpClientTransport(ConnectionContext connection, TransportSettings settings, ILogger logger)
        : base(connection.Transport.Output, settings, logger)
    {
        _connection = connection;
    }

    public override string Type => "socket";

    public override IResponseFormat Format => TcpResponseFormat.Instance;

    public override ClientDialect Dialect => ClientDialect.Tcp;

    protected override void WriteMessage(PipeWriter output, ReadOnlySpan<byte> json)
    {
        var span = output.GetSpan(json.Length + 2);
        json.CopyTo(span);
        CrLf.CopyTo(span[json.Length..]);
        output.Advance(json.Length + 2);
    }

    public override bool SendUnframed(byte[] bytes) => SendRaw(bytes, thenEnd: false);

    protected override void WriteGoodbye(PipeWriter output) => WriteMessage(output, TcpResponseFormat.Goodbye);

    protected override void OnGoodbyeWritten() => _connection.Transport.Input.CancelPendingRead();

    // Cut the socket itself: what is still in the pipe would otherwise wait for a client that does not read, and the
    // socket would stay open for good (Kestrel sends the rest of the pipe before it closes).
    protected override void OnAbort()
    {
        _connection.Transport.Input.CancelPendingRead();
        _connection.Transport.Output.CancelPendingFlush();
        _connection.Abort(new ConnectionAbortedException("connection aborted by the server"));
    }
}
