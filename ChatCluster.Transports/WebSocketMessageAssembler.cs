using System.Text.Unicode;

namespace ChatCluster.Transports;

/// <summary>
/// Joins fragmented frames into messages (RFC 6455 5.4) with a cap on the whole message size.
/// Control frames may arrive between fragments and are passed through at once.
/// </summary>
/// <remarks>
/// <code>
///            Text/Binary, !Fin                     Continuation, !Fin
///   Idle ───────────────────────────▶ Open ◀─────────────────────┘
///    ▲ │ Text/Binary, Fin → Message     │ Continuation, Fin → Message
///    │ └──────────────────────────────  ├──────────────────────────▶ Idle
///    │                                  │ Text/Binary → Error 1002
///    └── Continuation → Error 1002      │ over the cap → Error 1009
/// </code>
/// After an Error the assembler drops what it held; the caller closes the connection.
/// </remarks>
public sealed class WebSocketMessageAssembler
{
    private readonly long _maxMessageBytes;
    private readonly List<byte[]> _fragments = [];
    private WebSocketOpcode? _openOpcode;
    private long _openBytes;

    public WebSocketMessageAssembler(long maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        _maxMessageBytes = maxMessageBytes;
    }

    public bool IsMessageOpen => _openOpcode is not null;

    public AssemblerResult Push(in WebSocketFrame frame)
    {
        switch (frame.Opcode)
        {
            case WebSocketOpcode.Ping or WebSocketOpcode.Pong or WebSocketOpcode.Close:
                if (!frame.Fin || frame.Payload.Length > 125)
                    return Fail(WebSocketCloseCodes.ProtocolError);
                return AssemblerResult.Control(frame.Opcode, frame.Payload);

            case WebSocketOpcode.Text or WebSocketOpcode.Binary:
                if (_openOpcode is not null)
                    return Fail(WebSocketCloseCodes.ProtocolError);
                if (frame.Payload.Length > _maxMessageBytes)
                    return Fail(WebSocketCloseCodes.MessageTooBig);
                if (frame.Fin)
                    return Complete(frame.Opcode, frame.Payload); // unfragmented: no copy
                _openOpcode = frame.Opcode;
                _openBytes = frame.Payload.Length;
                _fragments.Add(frame.Payload);
                return AssemblerResult.Incomplete;

            case WebSocketOpcode.Continuation:
                if (_openOpcode is not { } opcode)
                    return Fail(WebSocketCloseCodes.ProtocolError);
                _openBytes += frame.Payload.Length;
                if (_openBytes > _maxMessageBytes)
                    return Fail(WebSocketCloseCodes.MessageTooBig);
                if (frame.Payload.Length > 0)
                    _fragments.Add(frame.Payload);
                if (!frame.Fin)
                    return AssemblerResult.Incomplete;
                var message = Join();
                Reset();
                return Complete(opcode, message);

            default:
                return Fail(WebSocketCloseCodes.ProtocolError);
        }
    }

    // RFC 6455 8.1: a text message that is not UTF-8 fails the connection with 1007. Checked on the
    // whole message because a code point may straddle fragments.
    private static AssemblerResult Complete(WebSocketOpcode opcode, byte[] payload) =>
        opcode == WebSocketOpcode.Text && !Utf8.IsValid(payload)
            ? AssemblerResult.Error(WebSocketCloseCodes.InvalidPayloadData)
            : AssemblerResult.Message(opcode, payload);

    private byte[] Join()
    {
        if (_fragments.Count == 1)
            return _fragments[0];
        var message = GC.AllocateUninitializedArray<byte>((int)_openBytes);
        int offset = 0;
        foreach (var fragment in _fragments)
        {
            fragment.CopyTo(message, offset);
            offset += fragment.Length;
        }
        return message;
    }

    private AssemblerResult Fail(ushort closeCode)
    {
        Reset();
        return AssemblerResult.Error(closeCode);
    }

    private void Reset()
    {
        _fragments.Clear();
        _openOpcode = null;
        _openBytes = 0;
    }
}
