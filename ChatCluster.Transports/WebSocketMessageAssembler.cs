using System.Text.Unicode;

namespace ChatCluster.Transports;

/// <summary>
/// Joins fragmented frames into messages (RFC 6455 5.4) with a cap on the whole message size and on the
/// number of fragments. Control frames may arrive between fragments and are passed through at once.
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
/// Fragments are copied into one buffer as they arrive, and the cap applies to that buffer's allocated size: holding
/// each fragment as an array of its own cost ~40 bytes per fragment beyond its payload, so a megabyte sent as
/// one-byte fragments held ~40 MB while counting as one megabyte. The buffer grows by doubling, never past the cap.
/// </remarks>
public sealed class WebSocketMessageAssembler
{
    private const int InitialBufferBytes = 256;

    private readonly long _maxMessageBytes;
    private readonly int _maxFragments;
    private byte[] _buffer = [];
    private WebSocketOpcode? _openOpcode;
    private int _openBytes;
    private int _openFragments;

    public WebSocketMessageAssembler(long maxMessageBytes, int maxFragments = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFragments);
        _maxMessageBytes = Math.Min(maxMessageBytes, Array.MaxLength);
        _maxFragments = maxFragments;
    }

    public bool IsMessageOpen => _openOpcode is not null;

    /// <summary>Bytes allocated for the open message (the assembly buffer's size); never more than the cap.</summary>
    public long AllocatedBytes => _buffer.Length;

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
                _openFragments = 1;
                Append(frame.Payload);
                return AssemblerResult.Incomplete;

            case WebSocketOpcode.Continuation:
                if (_openOpcode is not { } opcode)
                    return Fail(WebSocketCloseCodes.ProtocolError);
                // Empty continuations count too: each costs a frame to parse and would otherwise be free to repeat.
                if (++_openFragments > _maxFragments || (long)_openBytes + frame.Payload.Length > _maxMessageBytes)
                    return Fail(WebSocketCloseCodes.MessageTooBig);
                Append(frame.Payload);
                if (!frame.Fin)
                    return AssemblerResult.Incomplete;
                var message = _buffer.Length == _openBytes ? _buffer : _buffer.AsSpan(0, _openBytes).ToArray();
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

    // The caller checked that the message stays within the cap, so the buffer never has to grow past it.
    private void Append(byte[] payload)
    {
        var needed = _openBytes + payload.Length;
        if (needed > _buffer.Length)
        {
            var size = (int)Math.Min(_maxMessageBytes, Math.Max(needed, Math.Max(InitialBufferBytes, 2L * _buffer.Length)));
            var grown = GC.AllocateUninitializedArray<byte>(size);
            _buffer.AsSpan(0, _openBytes).CopyTo(grown);
            _buffer = grown;
        }
        payload.CopyTo(_buffer, _openBytes);
        _openBytes = needed;
    }

    private AssemblerResult Fail(ushort closeCode)
    {
        Reset();
        return AssemblerResult.Error(closeCode);
    }

    private void Reset()
    {
        _buffer = []; // an idle connection holds no assembly buffer
        _openOpcode = null;
        _openBytes = 0;
        _openFragments = 0;
    }
}
