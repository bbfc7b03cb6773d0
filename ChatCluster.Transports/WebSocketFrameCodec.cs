using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace ChatCluster.Transports;

/// <summary>
/// Server side of RFC 6455 base framing: parses masked client frames, writes unmasked server frames.
/// No extensions are negotiated, so any RSV bit is a protocol error.
/// </summary>
public static class WebSocketFrameCodec
{
    private const byte FinBit = 0x80;
    private const byte RsvBits = 0x70;
    private const byte OpcodeBits = 0x0F;
    private const byte MaskBit = 0x80;
    private const int MaxControlPayload = 125;
    private const int MaxHeaderSize = 14; // 2 + 8-byte length + 4-byte mask

    /// <summary>
    /// Parses one client frame from the front of <paramref name="buffer"/>.
    /// Frame: exactly that frame was consumed. NeedMore and Error: nothing was consumed; after an
    /// Error the caller closes with <paramref name="closeCode"/> and stops reading.
    /// </summary>
    public static FrameParseStatus TryParse(ref ReadOnlySequence<byte> buffer, long maxPayloadBytes,
        out WebSocketFrame frame, out ushort closeCode)
    {
        frame = default;
        closeCode = 0;

        Span<byte> scratch = stackalloc byte[MaxHeaderSize];
        scoped ReadOnlySpan<byte> header = buffer.FirstSpan;
        if (header.Length < MaxHeaderSize && buffer.Length > header.Length)
        {
            var available = (int)Math.Min(MaxHeaderSize, buffer.Length);
            buffer.Slice(0, available).CopyTo(scratch);
            header = scratch[..available];
        }
        if (header.Length < 2)
            return FrameParseStatus.NeedMore;

        byte b0 = header[0], b1 = header[1];
        bool fin = (b0 & FinBit) != 0;
        var opcode = (WebSocketOpcode)(b0 & OpcodeBits);
        int length7 = b1 & 0x7F;

        // Everything decidable from the first two bytes is checked before waiting for more.
        if ((b0 & RsvBits) != 0 || !IsKnownOpcode(opcode) || (b1 & MaskBit) == 0)
            return Fail(WebSocketCloseCodes.ProtocolError, out closeCode);
        if (IsControl(opcode) && (!fin || length7 > MaxControlPayload))
            return Fail(WebSocketCloseCodes.ProtocolError, out closeCode);

        int lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        if (header.Length < 2 + lengthBytes)
            return FrameParseStatus.NeedMore;

        ulong length = lengthBytes switch
        {
            2 => BinaryPrimitives.ReadUInt16BigEndian(header[2..]),
            8 => BinaryPrimitives.ReadUInt64BigEndian(header[2..]),
            _ => (ulong)length7,
        };
        if (length > long.MaxValue)
            return Fail(WebSocketCloseCodes.ProtocolError, out closeCode);
        // Decided from the header alone, so an oversized payload is never buffered.
        if ((long)length > maxPayloadBytes || length > (ulong)Array.MaxLength)
            return Fail(WebSocketCloseCodes.MessageTooBig, out closeCode);

        int maskOffset = 2 + lengthBytes;
        long frameLength = maskOffset + 4 + (long)length;
        if (buffer.Length < frameLength)
            return FrameParseStatus.NeedMore;

        uint mask = MemoryMarshal.Read<uint>(header.Slice(maskOffset, 4));
        byte[] payload;
        if (length == 0)
        {
            payload = [];
        }
        else
        {
            payload = GC.AllocateUninitializedArray<byte>((int)length);
            buffer.Slice(maskOffset + 4, payload.Length).CopyTo(payload);
            Unmask(payload, mask);
        }

        frame = new WebSocketFrame(fin, opcode, payload);
        buffer = buffer.Slice(frameLength);
        return FrameParseStatus.Frame;
    }

    public static int HeaderSize(int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        return payloadLength switch
        {
            <= MaxControlPayload => 2,
            <= ushort.MaxValue => 4,
            _ => 10,
        };
    }

    /// <summary>Writes the header of one unmasked FIN server frame; returns the bytes written.</summary>
    public static int WriteHeader(Span<byte> dest, WebSocketOpcode opcode, int payloadLength)
    {
        if (IsControl(opcode) && payloadLength > MaxControlPayload)
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength,
                $"A {opcode} frame carries at most {MaxControlPayload} payload bytes (RFC 6455 5.5).");

        int size = HeaderSize(payloadLength);
        dest[0] = (byte)(FinBit | (byte)opcode);
        switch (size)
        {
            case 2:
                dest[1] = (byte)payloadLength;
                break;
            case 4:
                dest[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(dest[2..], (ushort)payloadLength);
                break;
            default:
                dest[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(dest[2..], (ulong)payloadLength);
                break;
        }
        return size;
    }

    public static void WriteFrame(IBufferWriter<byte> output, WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        int size = HeaderSize(payload.Length) + payload.Length;
        Span<byte> dest = output.GetSpan(size);
        int written = WriteHeader(dest, opcode, payload.Length);
        payload.CopyTo(dest[written..]);
        output.Advance(size);
    }

    /// <summary>Writes a close frame; with no code the body is empty and <paramref name="reason"/> must be null.</summary>
    public static void WriteClose(IBufferWriter<byte> output, ushort? code, string? reason = null)
    {
        if (code is null)
        {
            if (!string.IsNullOrEmpty(reason))
                throw new ArgumentException("A close reason needs a close code (RFC 6455 5.5.1).", nameof(reason));
            WriteFrame(output, WebSocketOpcode.Close, []);
            return;
        }

        int reasonBytes = reason is null ? 0 : Encoding.UTF8.GetByteCount(reason);
        int payloadLength = 2 + reasonBytes;
        if (payloadLength > MaxControlPayload)
            throw new ArgumentOutOfRangeException(nameof(reason), reasonBytes,
                $"A close reason is at most {MaxControlPayload - 2} UTF-8 bytes (RFC 6455 5.5).");

        int size = HeaderSize(payloadLength) + payloadLength;
        Span<byte> dest = output.GetSpan(size);
        int offset = WriteHeader(dest, WebSocketOpcode.Close, payloadLength);
        BinaryPrimitives.WriteUInt16BigEndian(dest[offset..], code.Value);
        if (reasonBytes > 0)
            Encoding.UTF8.GetBytes(reason, dest[(offset + 2)..]);
        output.Advance(size);
    }

    /// <summary>
    /// Reads a received close body. False means the body is malformed (one byte, a code that may not
    /// appear on the wire, or a reason that is not UTF-8); answer it with 1002.
    /// </summary>
    public static bool TryReadClose(ReadOnlySpan<byte> payload, out ushort? code)
    {
        code = null;
        if (payload.IsEmpty)
            return true;
        if (payload.Length == 1)
            return false;

        ushort value = BinaryPrimitives.ReadUInt16BigEndian(payload);
        // Same acceptance as the ws library: 1004-1006 and 1015 are reserved for local use only.
        bool valid = value is (>= 1000 and <= 1014 and not (1004 or 1005 or 1006)) or (>= 3000 and <= 4999);
        if (!valid || !Utf8.IsValid(payload[2..]))
            return false;
        code = value;
        return true;
    }

    private static bool IsKnownOpcode(WebSocketOpcode opcode) => opcode is WebSocketOpcode.Continuation
        or WebSocketOpcode.Text or WebSocketOpcode.Binary
        or WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong;

    private static bool IsControl(WebSocketOpcode opcode) => (byte)opcode >= 8;

    private static FrameParseStatus Fail(ushort code, out ushort closeCode)
    {
        closeCode = code;
        return FrameParseStatus.Error;
    }

    // `mask` holds the four key bytes in wire order, so XOR-ing it over memory read the same way
    // unmasks four (or a vector's worth of) bytes at a time.
    private static void Unmask(Span<byte> data, uint mask)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && data.Length >= Vector<byte>.Count)
        {
            var key = Vector.AsVectorByte(new Vector<uint>(mask));
            for (; i <= data.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                var slice = data[i..];
                (new Vector<byte>(slice) ^ key).CopyTo(slice);
            }
        }
        for (; i <= data.Length - sizeof(uint); i += sizeof(uint))
        {
            var word = data.Slice(i, sizeof(uint));
            MemoryMarshal.Write(word, MemoryMarshal.Read<uint>(word) ^ mask);
        }
        Span<byte> keyBytes = stackalloc byte[4];
        MemoryMarshal.Write(keyBytes, in mask);
        for (; i < data.Length; i++)
            data[i] ^= keyBytes[i & 3];
    }
}
